import type { CommentsConfig, Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';

/**
 * Who is asking. Anyone may submit a comment; only staff may list, read, change or export the
 * queue or see other submitters' details.
 *
 * - `local`: the CLI and the local console. Whoever runs them already holds the database, so
 *   they act as staff (the CLI uses id "cli").
 * - `slack`: a Slack user. The Slack layer fills in `external` (a Slack Connect user from another
 *   organization: never staff) and, when STAFF_USERGROUP_ID is set, `inStaffUsergroup` from
 *   `usergroups.users.list` (see `resolveSlackActor`).
 */
export type Actor =
  | { kind: 'local'; id: string }
  | { kind: 'slack'; userId: string; teamId?: string; external: boolean; inStaffUsergroup?: boolean };

export const CLI_ACTOR: Actor = { kind: 'local', id: 'cli' };

/** How an actor is written in the audit log and in `assignee`: "cli", or the Slack user id. */
export function actorLabel(actor: Actor): string {
  return actor.kind === 'local' ? actor.id : actor.userId;
}

export function isStaff(config: Pick<CommentsConfig, 'staffUserIds' | 'staffUsergroupId'>, actor: Actor): boolean {
  if (actor.kind === 'local') return true;
  if (actor.external) return false;
  if (config.staffUserIds.includes(actor.userId)) return true;
  return config.staffUsergroupId !== undefined && actor.inStaffUsergroup === true;
}

/** The Slack layer implements this with `usergroups.users.list` (cached); tests pass a set. */
export interface UsergroupMembership {
  isMember(usergroupId: string, userId: string): Promise<boolean>;
}

/**
 * Builds the actor for a Slack user, looking up the staff user group only when it matters
 * (configured, and the user is neither external nor already listed by id).
 */
export async function resolveSlackActor(
  config: Pick<CommentsConfig, 'staffUserIds' | 'staffUsergroupId'>,
  user: { userId: string; teamId?: string; external: boolean },
  membership?: UsergroupMembership,
): Promise<Actor> {
  const actor: Actor = { kind: 'slack', userId: user.userId, teamId: user.teamId, external: user.external };
  if (user.external || config.staffUserIds.includes(user.userId) || !config.staffUsergroupId || !membership) return actor;
  return { ...actor, inStaffUsergroup: await membership.isMember(config.staffUsergroupId, user.userId) };
}

export const ACCESS_DENIED_MESSAGE =
  'Sorry, only Policy Desk staff can see or change the comment queue. You can still submit a comment, ' +
  'and check your own comments with `/comment status <tracking number>`.';

/**
 * Throws the polite refusal for a non-staff actor, after logging it: who, what they tried, and
 * on which comment. Call first in every staff-only service function.
 */
export function requireStaff(
  deps: { config: Pick<Config, 'comments'>; logger: Logger },
  actor: Actor,
  action: string,
  target?: string,
): void {
  if (isStaff(deps.config.comments, actor)) return;
  deps.logger.warn(
    {
      event: 'access.denied',
      action,
      target,
      actor: actor.kind === 'local' ? actor.id : { userId: actor.userId, teamId: actor.teamId, external: actor.external },
    },
    `comments: ${action} refused for a non-staff ${actor.kind === 'slack' && actor.external ? 'external ' : ''}user`,
  );
  throw new AppError('access.denied', ACCESS_DENIED_MESSAGE, { details: { action, target } });
}
