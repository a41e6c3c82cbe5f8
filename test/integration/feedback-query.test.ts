import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFeedback, recordFeedback } from '../../src/db/feedback.ts';
import { saveSlackAnswer } from '../../src/db/slack.ts';
import type { Db } from '../../src/db/types.ts';
import { understandQuestion } from '../../src/search/understand.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';
import { sampleAnswer } from '../unit/slack/sample-answer.ts';

describe(`feedback records how the question was read (${dbLabel})`, () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('keeps the answer\'s understood query with the vote, and null for answers without one', async () => {
    const query = await understandQuestion(db, 'Is the 2018 policy still in effect under Biden?');
    expect(query).toMatchObject({ kind: 'status', time: { current: true, administrations: ['Biden'] } });
    const withQuery = await saveSlackAnswer(db, { surface: 'dm', question: query.text, answer: { ...sampleAnswer(), query }, teamId: null, channelId: 'D1', threadTs: null, userId: 'U1' });
    const without = await saveSlackAnswer(db, { surface: 'dm', question: 'q', answer: sampleAnswer(), teamId: null, channelId: 'D1', threadTs: null, userId: 'U1' });
    await recordFeedback(db, { record: withQuery, helpful: false, userId: 'U1', teamId: null, channelId: 'D1', messageTs: '1.1' });
    await recordFeedback(db, { record: without, helpful: true, userId: 'U1', teamId: null, channelId: 'D1', messageTs: '1.2' });
    const rows = await listFeedback(db);
    expect(rows.find((r) => r.answerId === withQuery.id)!.query).toEqual(query);
    expect(rows.find((r) => r.answerId === without.id)!.query).toBeNull();
  });
});
