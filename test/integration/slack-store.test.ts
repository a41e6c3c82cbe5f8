import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFeedback, recordFeedback, setFeedbackReason } from '../../src/db/feedback.ts';
import { claimSlackEvent, getSlackAnswer, pruneSlackAnswers, pruneSlackEvents, saveSlackAnswer } from '../../src/db/slack.ts';
import type { Db } from '../../src/db/types.ts';
import { formatFeedback } from '../../src/app/feedback-export.ts';
import { parse as parseCsv } from 'csv-parse/sync';
import { dbLabel, openTestDb } from '../helpers/db.ts';
import { sampleAnswer } from '../unit/slack/sample-answer.ts';

describe(`Slack store: event claims, answers, feedback (${dbLabel})`, () => {
  let db: Db;

  beforeAll(async () => {
    db = await openTestDb();
  });

  afterAll(async () => {
    await db?.close();
  });

  it('claims an event id once; a second claim (a retry, another instance) is refused', async () => {
    expect(await claimSlackEvent(db, 'Ev1', 'app_mention')).toBe(true);
    expect(await claimSlackEvent(db, 'Ev1', 'app_mention')).toBe(false);
    const both = await Promise.all([claimSlackEvent(db, 'Ev2', 'message.im'), claimSlackEvent(db, 'Ev2', 'message.im')]);
    expect(both.filter(Boolean)).toHaveLength(1);
  });

  it('prunes old claims and old answers, keeping recent ones', async () => {
    await claimSlackEvent(db, 'EvOld', 'app_mention');
    await db.query(`UPDATE slack_events SET received_at = now() - interval '2 days' WHERE event_id = 'EvOld'`);
    expect(await pruneSlackEvents(db)).toBe(1);
    expect(await claimSlackEvent(db, 'Ev1', 'app_mention')).toBe(false);

    const old = await saveSlackAnswer(db, { surface: 'dm', question: 'q', answer: sampleAnswer(), teamId: null, channelId: 'D1', threadTs: null, userId: 'U1' });
    await db.query(`UPDATE slack_answers SET created_at = now() - interval '91 days' WHERE id = $1`, [old.id]);
    expect(await pruneSlackAnswers(db)).toBe(1);
    expect(await getSlackAnswer(db, old.id)).toBeNull();
  });

  it('stores an answer without the passages and reads it back', async () => {
    const saved = await saveSlackAnswer(db, { surface: 'mention', question: 'What are the three lines of effort?', answer: sampleAnswer(), teamId: 'T1', channelId: 'C1', threadTs: '1.2', userId: 'U1' });
    expect(saved.id).toMatch(/^a_[A-Za-z0-9_-]{12}$/);
    const back = await getSlackAnswer(db, saved.id);
    expect(back).toMatchObject({ surface: 'mention', question: 'What are the three lines of effort?', channelId: 'C1', threadTs: '1.2' });
    expect(back!.answer.citations.map((c) => c.passage)).toEqual(['', '']);
    expect(back!.answer.citations[0]!.quote).toBe(sampleAnswer().citations[0]!.quote);
  });

  it('keeps one vote per person per answer; a changed vote drops the old reason; only the voter sets a reason', async () => {
    const record = await saveSlackAnswer(db, { surface: 'command', question: 'Q?', answer: sampleAnswer(), teamId: 'T1', channelId: 'C9', threadTs: null, userId: 'U1' });
    const vote = (helpful: boolean, userId = 'U1') => recordFeedback(db, { record, helpful, userId, teamId: 'T1', channelId: 'C9', messageTs: '5.6' });
    const first = await vote(false);
    expect(await setFeedbackReason(db, record.id, 'USOMEONE', 'not mine')).toBeNull();
    expect((await setFeedbackReason(db, record.id, 'U1', 'Wrong or out of date'))!.reason).toBe('Wrong or out of date');
    expect((await vote(false)).reason).toBe('Wrong or out of date');
    const changed = await vote(true);
    expect(changed.id).toBe(first.id);
    expect(changed).toMatchObject({ helpful: true, reason: null });
    await vote(false, 'U2');
    const rows = (await listFeedback(db)).filter((r) => r.answerId === record.id);
    expect(rows.map((r) => [r.userId, r.helpful])).toEqual([
      ['U1', true],
      ['U2', false],
    ]);
    expect(rows[0]!.citations[0]).not.toHaveProperty('passage');

    const csv = parseCsv(formatFeedback(rows, 'csv'), { columns: true }) as Array<Record<string, string>>;
    expect(csv[0]).toMatchObject({ helpful: 'yes', question: 'Q?', mode: 'extractive', surface: 'command', channel_id: 'C9', message_ts: '5.6' });
    expect(csv[0]!.citation_titles).toContain('[1] Implementation of the Conventional Arms Transfer (CAT) Policy 1');
    expect(JSON.parse(formatFeedback(rows, 'json'))).toHaveLength(2);
    expect(await listFeedback(db, { since: '2999-01-01' })).toEqual([]);
  });
});
