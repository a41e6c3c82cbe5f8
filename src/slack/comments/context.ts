import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import { resolveSlackActor, type Actor, type UsergroupMembership } from '../../comments/access.ts';
import type { CommentDeps } from '../../comments/deps.ts';
import type { SlackDeps } from '../deps.ts';
import { enqueueCardRefresh } from '../jobs/comment-card.ts';

/**
 * What the comment listeners need from Slack about people: who someone is (users.info), whether
 * they belong to another organization (a Slack Connect user: never staff), and whether they are in
 * the staff user group (usergroups.users.list). All cached, because every card click asks.
 */

/** A Slack user as the comment queue sees them. */
export interface SlackPerson {
  id: string;
  /** Real name, else display name, else the handle. */
  name: string;
  /** Only with the users:read.email scope, and not for every external user. */
  email: string | null;
  teamId: string | null;
  /** From another organization (Slack Connect), or a stranger Slack tells us nothing about. */
  external: boolean;
  isBot: boolean;
}

const userInfoSchema = z.object({
  user: z
    .object({
      id: z.string(),
      name: z.string().optional(),
      real_name: z.string().optional(),
      team_id: z.string().optional(),
      is_bot: z.boolean().optional(),
      is_stranger: z.boolean().optional(),
      enterprise_user: z.object({ enterprise_id: z.string().optional() }).passthrough().optional(),
      profile: z
        .object({
          real_name: z.string().optional(),
          display_name: z.string().optional(),
          email: z.string().optional(),
          team: z.string().optional(),
        })
        .passthrough()
        .optional(),
    })
    .passthrough(),
});

const authTestSchema = z.object({ team_id: z.string().optional(), enterprise_id: z.string().optional() }).passthrough();
const usergroupUsersSchema = z.object({ users: z.array(z.string()).default([]) }).passthrough();

interface Home {
  teamId: string | null;
  enterpriseId: string | null;
}

interface Cached<T> {
  value: T;
  expires: number;
}

/** Profiles change rarely; a name change shows up within the hour. */
const USER_TTL_MS = 15 * 60 * 1000;
/** Someone removed from the staff group loses access within five minutes. */
const GROUP_TTL_MS = 5 * 60 * 1000;
/** A failed lookup is not asked again for this long, so a burst of clicks does not hammer Slack. */
const FAILED_TTL_MS = 30 * 1000;
const MAX_USERS = 5_000;

export class CommentSlack implements UsergroupMembership {
  private home: Promise<Home> | null = null;
  private readonly users = new Map<string, Cached<SlackPerson | null>>();
  private readonly groups = new Map<string, Cached<Set<string> | null>>();
  private readonly groupLookups = new Map<string, Promise<Set<string> | null>>();
  /** Set when a listener first runs: usergroup lookups need a client outside a listener call too. */
  private client: webApi.WebClient | null = null;

  constructor(private readonly deps: SlackDeps) {}

  /**
   * The comment services over this app's database, configuration and log. With a review channel,
   * every change to a comment also enqueues the redraw of its card, in the change's transaction.
   */
  get services(): CommentDeps {
    const { services, logger } = this.deps;
    return {
      db: services.db,
      config: services.config,
      logger,
      ...(services.config.slack.reviewChannelId ? { onChange: enqueueCardRefresh } : {}),
    };
  }

  use(client: webApi.WebClient): this {
    this.client = client;
    return this;
  }

  /** The app's own workspace (auth.test, once): users of any other are external. */
  private workspace(client: webApi.WebClient): Promise<Home> {
    this.home ??= client.auth
      .test()
      .then((r) => {
        const a = authTestSchema.parse(r);
        return { teamId: a.team_id ?? null, enterpriseId: a.enterprise_id ?? null };
      })
      .catch((err: unknown) => {
        this.home = null;
        throw err;
      });
    return this.home;
  }

  /** users.info, cached; null when Slack cannot tell us (logged). */
  async person(client: webApi.WebClient, userId: string): Promise<SlackPerson | null> {
    this.use(client);
    const hit = this.users.get(userId);
    if (hit && Date.now() < hit.expires) return hit.value;
    let value: SlackPerson | null = null;
    try {
      const [raw, home] = await Promise.all([client.users.info({ user: userId }), this.workspace(client)]);
      const u = userInfoSchema.parse(raw).user;
      const teamId = u.team_id ?? u.profile?.team ?? null;
      const sameEnterprise = home.enterpriseId !== null && u.enterprise_user?.enterprise_id === home.enterpriseId;
      const otherTeam = teamId !== null && home.teamId !== null && teamId !== home.teamId && !sameEnterprise;
      value = {
        id: u.id,
        name: (u.profile?.real_name || u.real_name || u.profile?.display_name || u.name || u.id).trim(),
        email: u.profile?.email?.trim() || null,
        teamId,
        external: u.is_stranger === true || otherTeam,
        isBot: u.is_bot === true,
      };
    } catch (err) {
      this.deps.logger.warn({ err, userId }, 'slack: users.info failed; treating the user as unknown');
    }
    if (this.users.size >= MAX_USERS) this.users.delete(this.users.keys().next().value!);
    this.users.set(userId, { value, expires: Date.now() + (value ? USER_TTL_MS : FAILED_TTL_MS) });
    return value;
  }

  /**
   * The actor for a Slack user. External when users.info says so; when users.info fails, only a
   * payload naming our own workspace counts as internal (fail closed: never staff by accident).
   */
  async actor(client: webApi.WebClient, user: { userId: string; teamId?: string | null }): Promise<Actor> {
    const person = await this.person(client, user.userId);
    let external: boolean;
    if (person) external = person.external;
    else {
      const home = await this.workspace(client).catch(() => null);
      external = !(home?.teamId && user.teamId && user.teamId === home.teamId);
    }
    return resolveSlackActor(
      this.deps.services.config.comments,
      { userId: user.userId, teamId: person?.teamId ?? user.teamId ?? undefined, external },
      this,
    );
  }

  /** UsergroupMembership: usergroups.users.list, cached for five minutes; a failed lookup means "no". */
  async isMember(usergroupId: string, userId: string): Promise<boolean> {
    const hit = this.groups.get(usergroupId);
    if (hit && Date.now() < hit.expires) return hit.value?.has(userId) ?? false;
    let pending = this.groupLookups.get(usergroupId);
    if (!pending) {
      pending = this.lookUpGroup(usergroupId, hit?.value ?? null).finally(() => this.groupLookups.delete(usergroupId));
      this.groupLookups.set(usergroupId, pending);
    }
    return (await pending)?.has(userId) ?? false;
  }

  private async lookUpGroup(usergroupId: string, stale: Set<string> | null): Promise<Set<string> | null> {
    try {
      if (!this.client) throw new Error('no Slack client yet');
      const parsed = usergroupUsersSchema.parse(await this.client.usergroups.users.list({ usergroup: usergroupId }));
      const value = new Set(parsed.users);
      this.groups.set(usergroupId, { value, expires: Date.now() + GROUP_TTL_MS });
      return value;
    } catch (err) {
      // The last good list is better than locking every reviewer out during a Slack hiccup.
      this.deps.logger.warn({ err, usergroupId, usingStale: stale !== null }, 'slack: usergroups.users.list failed');
      this.groups.set(usergroupId, { value: stale, expires: Date.now() + FAILED_TTL_MS });
      return stale;
    }
  }
}

const contexts = new WeakMap<SlackDeps, CommentSlack>();

/** One context per running app (its deps object), so caches never cross apps or tests. */
export function commentSlack(deps: SlackDeps): CommentSlack {
  let ctx = contexts.get(deps);
  if (!ctx) {
    ctx = new CommentSlack(deps);
    contexts.set(deps, ctx);
  }
  return ctx;
}
