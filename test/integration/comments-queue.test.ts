import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/comments/access.ts';
import {
  addNote,
  addTags,
  applyTopicSuggestion,
  assignComment,
  assignedTo,
  commentFieldErrors,
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
  TRACKING_NUMBER_PATTERN,
  TRANSITIONS,
} from '../../src/comments/queue.ts';
import { COMMENT_STATUSES, type CommentStatus } from '../../src/comments/schema.ts';
import type { TopicSuggester } from '../../src/comments/triage.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import type { Db } from '../../src/db/types.ts';
import { AppError } from '../../src/errors.ts';
import { commentDeps, sampleInput, staff } from '../helpers/comments.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

let db: Db & { label: string };
let deps: ReturnType<typeof commentDeps>;

beforeAll(async () => {
  db = await openTestDb();
  deps = commentDeps(db);
  await db.query(
    `INSERT INTO documents (id, title, kind, source, format, content_hash, pipeline_version, body)
     VALUES ('cat-policy-2023', 'CAT policy', 'policy', 'corpus/cat.txt', 'txt', 'h', 'v', 'text')`,
  );
});
afterAll(async () => {
  await db?.close();
});

async function caught(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError');
}

describe(`submitting (${dbLabel})`, () => {
  it('stores a valid comment with a regulations.gov style tracking number, suggestions and an audit entry', async () => {
    const { comment, created } = await submitComment(deps, sampleInput({ documentId: 'cat-policy-2023', text: 'Write to me at jane@example.org about civilian harm and IHL.' }));
    expect(created).toBe(true);
    expect(comment.trackingNumber).toMatch(TRACKING_NUMBER_PATTERN);
    expect(comment).toMatchObject({
      status: 'new',
      topic: 'human-rights-and-ihl',
      documentId: 'cat-policy-2023',
      suggestedTopic: 'human-rights-and-ihl',
      suggestedTopicMethod: 'keywords',
      personalData: ['email'],
      similarCount: 0,
      assignee: null,
    });
    const audit = await getAuditLog(deps, staff, comment.trackingNumber);
    expect(audit).toEqual([expect.objectContaining({ actor: 'USUBMIT1', action: 'submitted', from: null, to: 'new' })]);
  });

  it('is committed when submitComment returns: a separate connection sees the row', async () => {
    let other: Db = db;
    if (db.kind === 'postgres') {
      const [row] = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
      const schema = row!.schema;
      other = await openPostgres(process.env.DATABASE_URL!, { schema, max: 1 });
    }
    try {
      const { comment } = await submitComment(deps, sampleInput());
      const rows = await other.query<{ n: number }>('SELECT count(*)::int AS n FROM comments WHERE tracking_number = $1', [comment.trackingNumber]);
      expect(rows[0]!.n).toBe(1);
    } finally {
      if (other !== db) await other.close();
    }
  });

  it('gives no tracking number when the commit fails, and stores nothing', async () => {
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM comments');
    const failingCommit: Db = {
      ...db,
      query: db.query.bind(db),
      exec: db.exec.bind(db),
      close: db.close.bind(db),
      transaction: (fn) =>
        db.transaction(async (tx) => {
          await fn(tx);
          throw new Error('Connection terminated unexpectedly');
        }),
    };
    const err = await caught(submitComment({ ...deps, db: failingCommit }, sampleInput()));
    expect(err.code).toBe('db.unavailable');
    expect(err.message).toMatch(/could not be saved.*Nothing was recorded/);
    expect(JSON.stringify(err)).not.toMatch(/[0-9a-z]{3}-[0-9a-z]{4}-[0-9a-z]{4}/);
    const after = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM comments');
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('reports a database that is down as db.unavailable', async () => {
    const down = await openTestDb();
    await down.close();
    const err = await caught(submitComment({ ...deps, db: down }, sampleInput()));
    expect(err.code).toBe('db.unavailable');
  });

  it('rejects invalid input with field errors before touching the database', async () => {
    const err = await caught(submitComment(deps, sampleInput({ email: 'x', text: '' })));
    expect(err.code).toBe('comment.invalid');
    expect(commentFieldErrors(err)).toEqual({
      email: 'Enter a valid e-mail address, like name@example.org.',
      text: 'Enter the comment text (it may say "see attached" when the comment is in a file).',
    });
    expect(commentFieldErrors(new Error('x'))).toBeNull();
  });

  it('checks that the referenced document exists', async () => {
    const err = await caught(submitComment(deps, sampleInput({ documentId: 'no-such-doc' })));
    expect(commentFieldErrors(err)).toEqual({ documentId: expect.stringMatching(/No ingested document has the id "no-such-doc"/) });
  });

  it('stores one comment for one idempotency key, also when submissions race', async () => {
    const input = sampleInput();
    const first = await submitComment(deps, input, { idempotencyKey: 'view:V1' });
    const again = await submitComment(deps, input, { idempotencyKey: 'view:V1' });
    expect(again).toEqual({ comment: first.comment, created: false });
    const raced = await Promise.all(Array.from({ length: 5 }, () => submitComment(deps, sampleInput(), { idempotencyKey: 'event:E9' })));
    expect(new Set(raced.map((r) => r.comment.trackingNumber)).size).toBe(1);
    expect(raced.filter((r) => r.created)).toHaveLength(1);
    const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE idempotency_key IN ('view:V1', 'event:E9')`);
    expect(rows[0]!.n).toBe(2);
  });

  it('keeps attachments, their extracted text searchable', async () => {
    const { comment } = await submitComment(
      deps,
      sampleInput({
        text: 'See attached.',
        attachments: [{ name: 'letter.pdf', mime: 'application/pdf', size: 1234, text: 'Our concerns about loitering munitions and retransfer.' }],
      }),
    );
    expect(comment.attachments).toEqual([{ name: 'letter.pdf', mime: 'application/pdf', size: 1234, url: null, textChars: 54, note: null }]);
    const found = await listComments(deps, staff, { text: 'loitering munitions' });
    expect(found.comments.map((c) => c.trackingNumber)).toEqual([comment.trackingNumber]);
  });
});

describe(`the state machine (${dbLabel})`, () => {
  it('allows exactly the listed transitions and rejects every other one with a clear message', async () => {
    for (const from of COMMENT_STATUSES) {
      for (const to of COMMENT_STATUSES) {
        const { comment } = await submitComment(deps, sampleInput());
        await db.query('UPDATE comments SET status = $1 WHERE id = $2', [from, comment.id]);
        const allowed = TRANSITIONS[from].includes(to);
        if (allowed) {
          const moved = await setStatus(deps, staff, comment.id, to, { note: `${from} to ${to}` });
          expect(moved.status).toBe(to);
          const last = (await getAuditLog(deps, staff, comment.id)).at(-1);
          expect(last).toMatchObject({ actor: staff.kind === 'slack' ? staff.userId : '', action: 'status', from, to, note: `${from} to ${to}` });
        } else {
          const err = await caught(setStatus(deps, staff, comment.id, to));
          expect(err.code).toBe('comment.transition');
          expect(err.message).toMatch(from === to ? /it is already/ : /can only move to/);
          expect((await getComment(deps, staff, comment.id)).status).toBe(from);
          expect((await getAuditLog(deps, staff, comment.id)).filter((e) => e.action === 'status')).toEqual([]);
        }
      }
    }
  });

  it('walks the main path, with the audit log in order', async () => {
    const { comment } = await submitComment(deps, sampleInput());
    const path: CommentStatus[] = ['triaged', 'in_review', 'responded', 'closed'];
    for (const s of path) await setStatus(deps, CLI_ACTOR, comment.trackingNumber.toUpperCase(), s);
    const audit = await getAuditLog(deps, staff, comment.id);
    expect(audit.map((e) => `${e.actor}:${e.action}:${e.from}->${e.to}`)).toEqual([
      'USUBMIT1:submitted:null->new',
      'cli:status:new->triaged',
      'cli:status:triaged->in_review',
      'cli:status:in_review->responded',
      'cli:status:responded->closed',
    ]);
    for (let i = 1; i < audit.length; i++) expect(audit[i]!.at.getTime()).toBeGreaterThanOrEqual(audit[i - 1]!.at.getTime());
  });

  it('names unknown statuses and comments clearly', async () => {
    const { comment } = await submitComment(deps, sampleInput());
    expect((await caught(setStatus(deps, staff, comment.id, 'done' as CommentStatus))).message).toMatch(/Unknown status "done"/);
    const nf = await caught(setStatus(deps, staff, 'zzz-zzzz-zzzz', 'triaged'));
    expect(nf).toMatchObject({ code: 'comment.not_found', message: 'No comment with tracking number "zzz-zzzz-zzzz".' });
    expect((await caught(getComment(deps, staff, 'garbage'))).message).toMatch(/look like abc-1234-wxyz/);
  });
});

describe(`assignee, tags, notes (${dbLabel})`, () => {
  it('changes each and audits each change in the same transaction', async () => {
    const { comment } = await submitComment(deps, sampleInput());
    await assignComment(deps, staff, comment.id, 'UREVIEW1', { note: 'yours' });
    await assignComment(deps, staff, comment.id, 'UREVIEW1'); // no change, no entry
    await addTags(deps, staff, comment.id, ['ITAR', ' needs  reply ', 'itar']);
    await removeTags(deps, staff, comment.id, ['itar']);
    const noted = await addNote(deps, staff, comment.id, 'Called them; follow-up next week.');
    expect(noted).toMatchObject({ assignee: 'UREVIEW1', tags: ['needs reply'] });
    const details = await getCommentDetails(deps, staff, comment.id);
    expect(details.notes).toEqual([expect.objectContaining({ author: staff.kind === 'slack' ? staff.userId : '', body: 'Called them; follow-up next week.' })]);
    expect(details.audit.map((e) => [e.action, e.from, e.to, e.note])).toEqual([
      ['submitted', null, 'new', 'slack_modal'],
      ['assign', null, 'UREVIEW1', 'yours'],
      ['tags', null, 'itar, needs reply', null],
      ['tags', 'itar, needs reply', 'needs reply', null],
      ['note', null, null, 'Called them; follow-up next week.'],
    ]);
    await assignComment(deps, staff, comment.id, null);
    expect((await getAuditLog(deps, staff, comment.id)).at(-1)).toMatchObject({ action: 'assign', from: 'UREVIEW1', to: null });
  });

  it('rejects bad tags and empty notes', async () => {
    const { comment } = await submitComment(deps, sampleInput());
    expect((await caught(addTags(deps, staff, comment.id, ['<script>']))).message).toMatch(/Tag "<script>" is not allowed/);
    expect((await caught(addNote(deps, staff, comment.id, '   '))).message).toBe('The note is empty.');
  });

  it('stores a hook suggestion as a labelled suggestion, never over the submitter topic', async () => {
    const { comment } = await submitComment(deps, sampleInput({ topic: 'other' }));
    const llm: TopicSuggester = { name: 'llm:test', suggest: async () => ({ topic: 'mtcr-and-uas', score: 0.9, method: 'llm:test' }) };
    const updated = await applyTopicSuggestion(deps, CLI_ACTOR, comment.id, llm);
    expect(updated).toMatchObject({ topic: 'other', suggestedTopic: 'mtcr-and-uas', suggestedTopicMethod: 'llm:test' });
    const bogus: TopicSuggester = { name: 'bogus', suggest: async () => ({ topic: 'not-configured', score: 1, method: 'bogus' }) };
    expect((await applyTopicSuggestion(deps, CLI_ACTOR, comment.id, bogus)).suggestedTopic).toBe('mtcr-and-uas');
  });
});

describe(`listing, counting, the submitter's view (${dbLabel})`, () => {
  let fresh: Db & { label: string };
  let d: ReturnType<typeof commentDeps>;
  const t: Record<string, string> = {};

  beforeAll(async () => {
    fresh = await openTestDb();
    d = commentDeps(fresh);
    const add = async (name: string, input: Parameters<typeof sampleInput>[0]) => {
      t[name] = (await submitComment(d, sampleInput(input))).comment.trackingNumber;
    };
    await add('old', { receivedAt: '2024-01-05', organizationType: 'industry', topic: 'export-controls-and-itar', text: 'ITAR licensing delays hurt small exporters badly.', slackUserId: 'UAAA' });
    await add('mid', { receivedAt: '2024-02-05', organizationType: 'academia', topic: 'mtcr-and-uas', text: 'Drones and the MTCR: keep Category I controls strict.', slackUserId: 'UBBB', email: 'b@uni.edu' });
    await add('new', { receivedAt: '2024-03-05', organizationType: 'ngo', topic: 'human-rights-and-ihl', text: 'Civilian harm must weigh heavily in every arms decision.', slackUserId: 'UAAA', organization: 'Peace Watch' });
    await add('email', { receivedAt: '2024-03-06', source: 'email', topic: null, slackUserId: null, email: 'Someone@Example.com', text: 'An e-mailed comment about transparency reports.' });
    await setStatus(d, staff, t.mid!, 'triaged');
    await setStatus(d, staff, t.new!, 'triaged');
    await setStatus(d, staff, t.new!, 'in_review');
    await assignComment(d, staff, t.new!, staff.kind === 'slack' ? staff.userId : 'x');
    await assignComment(d, staff, t.old!, 'UOTHER');
    await addTags(d, staff, t.old!, ['priority']);
  });
  afterAll(async () => {
    await fresh?.close();
  });

  const ids = (r: { comments: Array<{ trackingNumber: string }> }) => r.comments.map((c) => c.trackingNumber);

  it('filters by status, topic, organization type, assignee, tag, date, submitter and text', async () => {
    expect(ids(await listComments(d, staff, { status: 'new' }))).toEqual([t.email, t.old]);
    expect(ids(await listComments(d, staff, { status: ['triaged', 'in_review'], order: 'oldest' }))).toEqual([t.mid, t.new]);
    expect(ids(await listComments(d, staff, { topic: 'MTCR and UAS' }))).toEqual([t.mid]);
    expect(ids(await listComments(d, staff, { topic: 'none' }))).toEqual([t.email]);
    expect(ids(await listComments(d, staff, { organizationType: 'industry' }))).toEqual([t.old]);
    expect(ids(await listComments(d, staff, { assignee: 'UOTHER' }))).toEqual([t.old]);
    expect(ids(await listComments(d, staff, { assignee: null, order: 'oldest' }))).toEqual([t.mid, t.email]);
    expect(ids(await listComments(d, staff, { tag: 'Priority' }))).toEqual([t.old]);
    expect(ids(await listComments(d, staff, { since: '2024-03-01', order: 'oldest' }))).toEqual([t.new, t.email]);
    expect(ids(await listComments(d, staff, { submitter: 'peace watch' }))).toEqual([t.new]);
    expect(ids(await listComments(d, staff, { text: 'licensing delays' }))).toEqual([t.old]);
    expect(ids(await listComments(d, staff, { text: 'drones -itar' }))).toEqual([t.mid]);
    const page = await listComments(d, staff, { limit: 2, order: 'oldest' });
    expect(page.total).toBe(4);
    expect(ids(page)).toEqual([t.old, t.mid]);
  });

  it('rejects bad filters with the field named', async () => {
    expect((await caught(listComments(d, staff, { status: 'open' as CommentStatus }))).message).toMatch(/status: expected one of new/);
    expect((await caught(listComments(d, staff, { since: 'yesterday' }))).message).toMatch(/since: expected a date as YYYY-MM-DD/);
    expect((await caught(listComments(d, staff, { topic: 'cooking' }))).message).toMatch(/Unknown topic "cooking"/);
  });

  it('counts by status, topic and organization type', async () => {
    const c = await queueCounts(d, staff);
    expect(c.total).toBe(4);
    expect(c.open).toBe(4);
    expect(c.byStatus).toEqual({ new: 2, triaged: 1, in_review: 1, responded: 0, closed: 0, duplicate: 0, spam: 0 });
    expect(c.byTopic.find((x) => x.topic === 'mtcr-and-uas')).toEqual({ topic: 'mtcr-and-uas', label: 'MTCR and UAS', count: 1 });
    expect(c.byTopic.at(-1)).toEqual({ topic: null, label: 'No topic given', count: 1 });
    expect(c.byOrganizationType).toMatchObject({ industry: 1, academia: 1, ngo: 2 });
  });

  it('gives the App Home its lists: mine, and the oldest unreviewed', async () => {
    expect((await oldestUnreviewed(d, staff, 2)).map((c) => c.trackingNumber)).toEqual([t.old, t.mid]);
    expect((await assignedTo(d, staff, 'UOTHER')).map((c) => c.trackingNumber)).toEqual([t.old]);
    const home = await queueHome(d, staff);
    expect(home.mine.map((c) => c.trackingNumber)).toEqual([t.new]);
    expect(home.counts.total).toBe(4);
    expect(home.oldestUnreviewed[0]!.trackingNumber).toBe(t.old);
  });

  it("shows a submitter only their own comment's status, and the same answer for someone else's", async () => {
    const mine = await submitterStatus(d, ` ${t.old!.toUpperCase()} `, { slackUserId: 'UAAA' });
    expect(mine).toMatchObject({ trackingNumber: t.old, status: 'new', statusLabel: 'New' });
    expect(Object.keys(mine)).not.toContain('assignee');
    expect(Object.keys(mine)).not.toContain('tags');
    const notMine = await caught(submitterStatus(d, t.old!, { slackUserId: 'UBBB' }));
    const missing = await caught(submitterStatus(d, 'aaa-aaaa-aaaa', { slackUserId: 'UBBB' }));
    expect(notMine.code).toBe('comment.not_found');
    expect(notMine.message.replace(t.old!, 'X')).toBe(missing.message.replace('aaa-aaaa-aaaa', 'X'));
    expect((await caught(submitterStatus(d, t.old!, {}))).code).toBe('comment.not_found');
    expect((await submitterStatus(d, t.email!, { email: 'someone@example.COM' })).trackingNumber).toBe(t.email);
    expect((await listOwnComments(d, { slackUserId: 'UAAA' })).map((v) => v.trackingNumber)).toEqual([t.new, t.old]);
  });
});
