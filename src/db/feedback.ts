import type { Citation } from '../domain/answer.ts';
import type { UnderstoodQuery } from '../domain/query.ts';
import type { SlackAnswerRecord } from './slack.ts';
import type { Queryable } from './types.ts';

export type FeedbackCitation = Omit<Citation, 'passage'>;

export interface FeedbackRecord {
  id: number;
  answerId: string | null;
  helpful: boolean;
  reason: string | null;
  question: string;
  answer: string;
  mode: string;
  abstained: boolean;
  citations: FeedbackCitation[];
  /** How the question was read (UnderstoodQuery); null for answers given before it was recorded. */
  query: UnderstoodQuery | null;
  surface: string | null;
  userId: string;
  teamId: string | null;
  channelId: string | null;
  messageTs: string | null;
  createdAt: string;
  updatedAt: string;
}

interface FeedbackRow {
  id: number | string;
  answer_id: string | null;
  helpful: boolean;
  reason: string | null;
  question: string;
  answer: string;
  mode: string;
  abstained: boolean;
  citations: FeedbackCitation[] | string;
  query: UnderstoodQuery | string | null;
  surface: string | null;
  user_id: string;
  team_id: string | null;
  channel_id: string | null;
  message_ts: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

function fromRow(r: FeedbackRow): FeedbackRecord {
  return {
    id: Number(r.id),
    answerId: r.answer_id,
    helpful: r.helpful,
    reason: r.reason,
    question: r.question,
    answer: r.answer,
    mode: r.mode,
    abstained: r.abstained,
    citations: typeof r.citations === 'string' ? (JSON.parse(r.citations) as FeedbackCitation[]) : r.citations,
    query: typeof r.query === 'string' ? (JSON.parse(r.query) as UnderstoodQuery) : (r.query ?? null),
    surface: r.surface,
    userId: r.user_id,
    teamId: r.team_id,
    channelId: r.channel_id,
    messageTs: r.message_ts,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/**
 * Stores a vote with a copy of what was answered, so the export stands on its own. A second click
 * by the same person updates the vote; a changed vote drops the reason given for the old one.
 */
export async function recordFeedback(
  db: Queryable,
  input: { record: SlackAnswerRecord; helpful: boolean; userId: string; teamId: string | null; channelId: string | null; messageTs: string | null },
): Promise<FeedbackRecord> {
  const { record } = input;
  const citations: FeedbackCitation[] = record.answer.citations.map(({ passage: _p, ...c }) => c);
  const rows = await db.query<FeedbackRow>(
    `INSERT INTO feedback (answer_id, helpful, question, answer, mode, abstained, citations, surface, user_id, team_id, channel_id, message_ts, query)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (answer_id, user_id) DO UPDATE SET
       helpful = EXCLUDED.helpful,
       reason = CASE WHEN feedback.helpful = EXCLUDED.helpful THEN feedback.reason ELSE NULL END,
       channel_id = COALESCE(EXCLUDED.channel_id, feedback.channel_id),
       message_ts = COALESCE(EXCLUDED.message_ts, feedback.message_ts),
       updated_at = now()
     RETURNING *`,
    [
      record.id,
      input.helpful,
      record.question,
      record.answer.answer,
      record.answer.mode,
      record.answer.abstained,
      JSON.stringify(citations),
      record.surface,
      input.userId,
      input.teamId,
      input.channelId,
      input.messageTs,
      record.answer.query ? JSON.stringify(record.answer.query) : null,
    ],
  );
  return fromRow(rows[0]!);
}

/** The reason goes with that person's vote on that answer; returns null when there is no such vote. */
export async function setFeedbackReason(db: Queryable, answerId: string, userId: string, reason: string | null): Promise<FeedbackRecord | null> {
  const rows = await db.query<FeedbackRow>(
    'UPDATE feedback SET reason = $3, updated_at = now() WHERE answer_id = $1 AND user_id = $2 RETURNING *',
    [answerId, userId, reason],
  );
  return rows[0] ? fromRow(rows[0]) : null;
}

export async function listFeedback(db: Queryable, options: { since?: string } = {}): Promise<FeedbackRecord[]> {
  const rows = options.since
    ? await db.query<FeedbackRow>('SELECT * FROM feedback WHERE created_at >= $1 ORDER BY created_at, id', [options.since])
    : await db.query<FeedbackRow>('SELECT * FROM feedback ORDER BY created_at, id');
  return rows.map(fromRow);
}
