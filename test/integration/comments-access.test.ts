import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_DENIED_MESSAGE, type Actor } from '../../src/comments/access.ts';
import { listCampaigns, regroupCampaigns } from '../../src/comments/dedupe.ts';
import { exportComments } from '../../src/comments/export.ts';
import { importComments } from '../../src/comments/mail-import.ts';
import {
  addNote,
  addTags,
  applyTopicSuggestion,
  assignComment,
  assignedTo,
  getAuditLog,
  getComment,
  getCommentDetails,
  listComments,
  listOwnComments,
  oldestUnreviewed,
  queueCounts,
  queueHome,
  removeTags,
  setStatus,
  submitComment,
  submitterStatus,
} from '../../src/comments/queue.ts';
import { keywordTopicSuggester } from '../../src/comments/triage.ts';
import type { Db } from '../../src/db/types.ts';
import { AppError } from '../../src/errors.ts';
import { commentDeps, externalListed, groupStaff, nonStaff, sampleInput, staff } from '../helpers/comments.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

let db: Db & { label: string };
let deps: ReturnType<typeof commentDeps>;
let tracking: string;

beforeAll(async () => {
  db = await openTestDb();
  deps = commentDeps(db);
  tracking = (await submitComment(deps, sampleInput({ slackUserId: nonStaff.kind === 'slack' ? nonStaff.userId : '' }))).comment.trackingNumber;
});
afterAll(async () => {
  await db?.close();
});

/** Every staff-only service function, called as `actor`. */
const STAFF_FUNCTIONS: Record<string, (actor: Actor) => Promise<unknown>> = {
  getComment: (a) => getComment(deps, a, tracking),
  getCommentDetails: (a) => getCommentDetails(deps, a, tracking),
  getAuditLog: (a) => getAuditLog(deps, a, tracking),
  listComments: (a) => listComments(deps, a, {}),
  queueCounts: (a) => queueCounts(deps, a),
  oldestUnreviewed: (a) => oldestUnreviewed(deps, a),
  assignedTo: (a) => assignedTo(deps, a, 'UX'),
  queueHome: (a) => queueHome(deps, a),
  setStatus: (a) => setStatus(deps, a, tracking, 'triaged'),
  assignComment: (a) => assignComment(deps, a, tracking, 'UX'),
  addTags: (a) => addTags(deps, a, tracking, ['x']),
  removeTags: (a) => removeTags(deps, a, tracking, ['x']),
  addNote: (a) => addNote(deps, a, tracking, 'note'),
  applyTopicSuggestion: (a) => applyTopicSuggestion(deps, a, tracking, keywordTopicSuggester),
  exportComments: (a) => exportComments(deps, a, { format: 'csv' }),
  importComments: (a) => importComments(deps, a, ['/nonexistent']),
  listCampaigns: (a) => listCampaigns(deps, a),
  regroupCampaigns: (a) => regroupCampaigns(deps, a),
};

describe(`access to the queue (${dbLabel})`, () => {
  for (const [who, actor] of [['a non-staff user', nonStaff], ['an external (Slack Connect) user listed as staff and in the group', externalListed]] as const) {
    it(`refuses ${who} on every staff function, politely, and logs each refusal`, async () => {
      const auditBefore = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM comment_audit');
      const logsBefore = deps.logLines().length;
      for (const [name, call] of Object.entries(STAFF_FUNCTIONS)) {
        const err = await call(actor).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, name).toBeInstanceOf(AppError);
        expect((err as AppError).code, name).toBe('access.denied');
        expect((err as AppError).message, name).toBe(ACCESS_DENIED_MESSAGE);
      }
      const refusals = deps.logLines().slice(logsBefore).filter((l) => l.event === 'access.denied');
      expect(refusals).toHaveLength(Object.keys(STAFF_FUNCTIONS).length);
      expect(refusals[0]).toMatchObject({ level: 40, actor: { userId: actor.kind === 'slack' ? actor.userId : '' } });
      const auditAfter = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM comment_audit');
      expect(auditAfter[0]!.n).toBe(auditBefore[0]!.n);
      expect((await getComment(deps, staff, tracking)).status).toBe('new');
    });
  }

  it('lets staff by id and by user group use every staff function', async () => {
    for (const actor of [staff, groupStaff]) {
      for (const [name, call] of Object.entries(STAFF_FUNCTIONS)) {
        if (name === 'setStatus' || name === 'regroupCampaigns') continue;
        await expect(call(actor), name).resolves.toBeDefined();
      }
    }
    expect((await setStatus(deps, groupStaff, tracking, 'triaged')).status).toBe('triaged');
  });

  it('lets anyone, external users included, submit and see their own comments', async () => {
    const { comment } = await submitComment(deps, sampleInput({ slackUserId: 'UEXT1', submitterExternal: true }));
    expect(comment.submitterExternal).toBe(true);
    expect((await submitterStatus(deps, comment.trackingNumber, { slackUserId: 'UEXT1' })).trackingNumber).toBe(comment.trackingNumber);
    expect(await listOwnComments(deps, { slackUserId: 'UEXT1' })).toHaveLength(1);
  });
});
