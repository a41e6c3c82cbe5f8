import { z } from 'zod';
import { addToLibrary, parseFactAssignments, versionDifferences, type AddResult, type LibraryInput } from '../../app/library.ts';
import { libraryEntry } from '../../db/library.ts';
import { isAppError } from '../../errors.ts';
import { defineJob, PermanentJobError, type JobContext } from '../../jobs/types.ts';
import { slackFileRefSchema, TransientFileError } from '../comments/files.ts';
import { platformError } from '../failures.ts';
import { downloadSlackFile, libraryActor } from '../library/context.ts';
import type { Poster } from '../post.ts';
import { addFailedMessage, addReceiptMessage, differencesMessage } from '../views/library.ts';
import type { SlackJobEnv } from './answer.ts';
import { durableResponsePoster, durableThreadPoster } from './post.ts';

const id = z.string().min(1).max(64);

/** Where the receipt goes: a thread reply under the shared file's message, or the command's response_url. */
const replyTarget = z.discriminatedUnion('via', [
  z.object({ via: z.literal('thread'), channel: id, threadTs: z.string().min(1).max(64) }),
  z.object({ via: z.literal('response_url'), url: z.string().url().max(2000) }),
]);

export const libraryAddPayload = z.object({
  requester: id,
  teamId: id.nullable(),
  input: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('url'), url: z.string().url().max(2000) }),
    z.object({ kind: z.literal('file'), file: slackFileRefSchema }),
  ]),
  /** Facts written with it (`supersedes=<id> issued=2023-02`), as the person wrote them. */
  facts: z.string().max(2000).default(''),
  reply: replyTarget,
});
export type LibraryAddPayload = z.infer<typeof libraryAddPayload>;

export const LIBRARY_ADD_JOB = { kind: 'library.add' as const, payload: libraryAddPayload, maxAttempts: 5 };

export const libraryDiffPayload = z.object({
  newId: z.string().min(1).max(200),
  oldIds: z.array(z.string().min(1).max(200)).min(1).max(20),
  by: id.nullable(),
});
export type LibraryDiffPayload = z.infer<typeof libraryDiffPayload>;

export const LIBRARY_DIFF_JOB = { kind: 'library.diff' as const, payload: libraryDiffPayload, maxAttempts: 5 };

/** What the add step recorded, so a retry posts the same receipt and never ingests twice. */
const resultSchema = z.union([
  z.object({ ok: z.literal(true), id: z.string(), status: z.enum(['ingested', 'updated', 'unchanged']), warnings: z.array(z.string()), supersedes: z.array(z.string()) }),
  z.object({ ok: z.literal(false), what: z.string(), reason: z.string() }),
]);

/** Failures told to the person as they are: their file or URL, not our system. The library is unchanged after each. */
function toldAsIs(err: unknown): boolean {
  return isAppError(err) && (err.code.startsWith('ingest.') || err.code.startsWith('fetch.') || err.code === 'input.invalid' || err.code === 'access.denied');
}

function what(p: LibraryAddPayload): string {
  return p.input.kind === 'url' ? p.input.url : (p.input.file.name || p.input.file.title || p.input.file.id);
}

/** Posts the differences between the new document and each one it supersedes, in the library channel, each once. */
async function postDifferences(env: SlackJobEnv, ctx: JobContext, newId: string, oldIds: string[], by: string | null): Promise<void> {
  const channel = env.deps.services.config.library.channelId;
  if (!channel || oldIds.length === 0) return;
  const poster: Poster = durableThreadPoster(ctx, { postClient: env.postClient, readClient: env.client }, channel, undefined, 'diff');
  for (const oldId of oldIds) {
    const cmp = await versionDifferences(env.deps.services, oldId, newId);
    try {
      await poster(differencesMessage({ ...cmp, by }));
    } catch (err) {
      const refused = platformError(err);
      if (refused) throw new PermanentJobError(`the differences could not be posted in ${channel}: ${refused}`, { cause: err });
      throw err;
    }
  }
}

/**
 * library.add: a document an admin shared or named, added once across Slack retries and job
 * retries (the job's dedupe key is the event or trigger; the outcome is recorded in its progress
 * before the receipt is posted, and the receipt is posted at most once), then the differences
 * from what it supersedes posted in LIBRARY_CHANNEL_ID.
 */
export function libraryAddJob(env: SlackJobEnv) {
  const { deps } = env;
  const services = deps.services;
  return defineJob<LibraryAddPayload>({
    ...LIBRARY_ADD_JOB,
    async run(p, ctx) {
      let recorded = resultSchema.safeParse(ctx.progress.result).data;
      if (!recorded) {
        try {
          const actor = await libraryActor(deps, env.client, { userId: p.requester, teamId: p.teamId });
          const facts = parseFactAssignments(p.facts);
          let input: LibraryInput;
          if (p.input.kind === 'url') input = { kind: 'url', url: p.input.url };
          else {
            const file = await downloadSlackFile(env.client, services.config.slack.apiUrl, p.input.file, services.config.fetch.maxBytes);
            input = { kind: 'file', fileId: file.id, name: file.name, bytes: file.bytes, permalink: file.permalink };
          }
          const r = await addToLibrary(services, actor, input, facts);
          recorded = { ok: true, id: r.entry.id, status: r.status, warnings: r.warnings, supersedes: r.supersedes };
        } catch (err) {
          if (err instanceof TransientFileError && ctx.attempt < ctx.maxAttempts) throw err;
          if (!toldAsIs(err) && !(err instanceof TransientFileError)) throw err;
          ctx.logger.info({ err, requester: p.requester, what: what(p) }, 'library: document not added');
          recorded = { ok: false, what: what(p), reason: err instanceof TransientFileError ? 'the file could not be downloaded from Slack.' : (err as Error).message };
        }
        await ctx.checkpoint({ result: recorded });
      }

      let receipt;
      if (recorded.ok) {
        const entry = await libraryEntry(services.db, recorded.id);
        if (!entry) throw new PermanentJobError(`document ${recorded.id} is gone`);
        const r: AddResult = { status: recorded.status, entry, warnings: recorded.warnings, supersedes: recorded.supersedes };
        receipt = addReceiptMessage(r);
      } else receipt = addFailedMessage(recorded.what, recorded.reason);
      const post =
        p.reply.via === 'thread'
          ? durableThreadPoster(ctx, { postClient: env.postClient, readClient: env.client }, p.reply.channel, p.reply.threadTs, 'receipt')
          : durableResponsePoster(ctx, p.reply.url, { step: 'receipt' });
      await post(receipt);

      if (recorded.ok && recorded.status !== 'unchanged') await postDifferences(env, ctx, recorded.id, recorded.supersedes, p.requester);
    },
    async onDead(p, ctx, error) {
      deps.logger.error({ jobId: ctx.id, requester: p.requester, what: what(p), error }, 'library: adding a document was given up; `policy-desk jobs retry` after fixing the cause');
    },
  });
}

/** library.diff: after `/library set <id> supersedes=<old>`, the differences posted in the library channel. */
export function libraryDiffJob(env: SlackJobEnv) {
  return defineJob<LibraryDiffPayload>({
    ...LIBRARY_DIFF_JOB,
    async run(p, ctx) {
      await postDifferences(env, ctx, p.newId, p.oldIds, p.by);
    },
  });
}
