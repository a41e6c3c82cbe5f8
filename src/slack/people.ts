import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import type { Person } from '../summarize/replies.ts';

/**
 * Names and organizations of the people in a thread, from users.info (Tier 4) and team.info
 * (Tier 3), cached: a thread of a thousand messages has a handful of authors, and the next
 * summary in the same channel has the same ones. A person's organization is their Slack
 * workspace's name: in a Slack Connect channel, the stakeholder's own company or NGO.
 */

const userInfoSchema = z.object({
  user: z
    .object({
      id: z.string(),
      name: z.string().optional(),
      real_name: z.string().optional(),
      team_id: z.string().optional(),
      is_bot: z.boolean().optional(),
      profile: z
        .object({ display_name: z.string().optional(), real_name: z.string().optional(), team: z.string().optional() })
        .passthrough()
        .optional(),
    })
    .passthrough(),
});

const teamInfoSchema = z.object({ team: z.object({ id: z.string(), name: z.string().optional() }).passthrough() });

interface Entry<T> {
  value: T;
  at: number;
}

/** How long a failed lookup is remembered. */
const FAILED_LOOKUP_TTL_MS = 5 * 60 * 1000;

/** At most this many lookups in flight: users.info is Tier 4, but a burst still earns 429s. */
const CONCURRENCY = 4;

export class PeopleDirectory {
  private readonly users = new Map<string, Entry<{ name: string; teamId?: string }>>();
  private readonly teams = new Map<string, Entry<string | null>>();

  constructor(
    private readonly ttlMs = 60 * 60 * 1000,
    private readonly maxEntries = 10_000,
  ) {}

  private fresh<T>(e: Entry<T> | undefined): e is Entry<T> {
    return e !== undefined && Date.now() - e.at < this.ttlMs;
  }

  private remember<T>(map: Map<string, Entry<T>>, key: string, value: T): void {
    if (map.size >= this.maxEntries) map.delete(map.keys().next().value!);
    map.set(key, { value, at: Date.now() });
  }

  private async user(client: webApi.WebClient, id: string, onError: (err: unknown) => void): Promise<{ name: string; teamId?: string }> {
    const cached = this.users.get(id);
    if (this.fresh(cached)) return cached.value;
    try {
      const parsed = userInfoSchema.parse(await client.users.info({ user: id }));
      const u = parsed.user;
      const name = (u.profile?.display_name || u.profile?.real_name || u.real_name || u.name || id).trim();
      const value = { name, ...((u.team_id ?? u.profile?.team) ? { teamId: (u.team_id ?? u.profile?.team)! } : {}) };
      this.remember(this.users, id, value);
      return value;
    } catch (err) {
      // A user who cannot be looked up keeps their id as a name, remembered briefly so a long
      // thread does not ask again and again, and not for long, so it heals.
      onError(err);
      const value = { name: id };
      this.users.set(id, { value, at: Date.now() - this.ttlMs + FAILED_LOOKUP_TTL_MS });
      return value;
    }
  }

  private readonly teamLookups = new Map<string, Promise<string | null>>();

  /** Several authors from one workspace share one team.info call, even when asked for at once. */
  private team(client: webApi.WebClient, id: string, onError: (err: unknown) => void): Promise<string | null> {
    const cached = this.teams.get(id);
    if (this.fresh(cached)) return Promise.resolve(cached.value);
    let pending = this.teamLookups.get(id);
    if (!pending) {
      pending = this.lookUpTeam(client, id, onError).finally(() => this.teamLookups.delete(id));
      this.teamLookups.set(id, pending);
    }
    return pending;
  }

  private async lookUpTeam(client: webApi.WebClient, id: string, onError: (err: unknown) => void): Promise<string | null> {
    try {
      const parsed = teamInfoSchema.parse(await client.team.info({ team: id }));
      const name = parsed.team.name?.trim() || null;
      this.remember(this.teams, id, name);
      return name;
    } catch (err) {
      onError(err);
      this.remember(this.teams, id, null);
      return null;
    }
  }

  /** Everyone in `ids`, looked up at most once each per hour. */
  async resolve(client: webApi.WebClient, ids: readonly string[], onError: (err: unknown) => void = () => undefined): Promise<Map<string, Person>> {
    const out = new Map<string, Person>();
    const queue = [...new Set(ids)];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const u = await this.user(client, id, onError);
        const org = u.teamId ? await this.team(client, u.teamId, onError) : null;
        out.set(id, { name: u.name, ...(org ? { organization: org } : {}) });
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
    return out;
  }
}

const directories = new WeakMap<object, PeopleDirectory>();

/**
 * One directory per running app (its services), kept while the app runs: the cache is the point.
 * Not one per process: a process that runs two apps (a test file after another) must not answer
 * one app's lookups from the other's workspace.
 */
export function peopleFor(owner: object): PeopleDirectory {
  let d = directories.get(owner);
  if (!d) directories.set(owner, (d = new PeopleDirectory()));
  return d;
}
