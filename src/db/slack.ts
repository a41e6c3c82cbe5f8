import { randomBytes } from 'node:crypto';
import type { Answer } from '../domain/answer.ts';
import type { Queryable } from './types.ts';

/**
 * Claims a Slack delivery before any work is done. Returns false when it was claimed before (a
 * retry of the same event, a double-submitted modal), also by another instance or before a restart.
 */
export async function claimSlackEvent(db: Queryable, eventId: string, kind: string): Promise<boolean> {
  const rows = await db.query<{ event_id: string }>(
    'INSERT INTO slack_events (event_id, kind) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING RETURNING event_id',
    [eventId, kind],
  );
  return rows.length === 1;
}

/** Gives a claim back when the work behind it failed, so the user's retry is not taken for a duplicate. */
export async function releaseSlackEvent(db: Queryable, eventId: string): Promise<void> {
  await db.query('DELETE FROM slack_events WHERE event_id = $1', [eventId]);
}

/** Slack retries within minutes; a day of ids is plenty and keeps the table small. */
export async function pruneSlackEvents(db: Queryable, olderThanHours = 24): Promise<number> {
  const rows = await db.query<{ event_id: string }>(
    `DELETE FROM slack_events WHERE received_at < now() - make_interval(hours => $1) RETURNING event_id`,
    [olderThanHours],
  );
  return rows.length;
}

/**
 * Stored answers back the buttons under them; after `days` a click says the answer is gone.
 * Feedback keeps its own copy of the question, answer and citations, so nothing given is lost.
 */
export async function pruneSlackAnswers(db: Queryable, days = 90): Promise<number> {
  const rows = await db.query<{ id: string }>(
    `DELETE FROM slack_answers WHERE created_at < now() - make_interval(days => $1) RETURNING id`,
    [days],
  );
  return rows.length;
}

export type SlackSurface = 'mention' | 'dm' | 'assistant' | 'command' | 'shortcut' | 'share';

export interface SlackAnswerRecord {
  id: string;
  surface: SlackSurface;
  question: string;
  answer: Answer;
  teamId: string | null;
  channelId: string | null;
  threadTs: string | null;
  userId: string | null;
  createdAt: string;
}

export function newAnswerId(): string {
  return `a_${randomBytes(9).toString('base64url')}`;
}

/** The passages themselves stay in the store; an answer record keeps what the user was shown. */
function withoutPassages(answer: Answer): Answer {
  return { ...answer, citations: answer.citations.map(({ passage: _passage, ...c }) => ({ ...c, passage: '' })) };
}

export async function saveSlackAnswer(
  db: Queryable,
  record: Omit<SlackAnswerRecord, 'id' | 'createdAt'>,
): Promise<SlackAnswerRecord> {
  const id = newAnswerId();
  const rows = await db.query<{ created_at: Date | string }>(
    `INSERT INTO slack_answers (id, surface, question, answer, team_id, channel_id, thread_ts, user_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING created_at`,
    [
      id,
      record.surface,
      record.question,
      JSON.stringify(withoutPassages(record.answer)),
      record.teamId,
      record.channelId,
      record.threadTs,
      record.userId,
    ],
  );
  return { ...record, id, createdAt: new Date(rows[0]!.created_at).toISOString() };
}

export async function getSlackAnswer(db: Queryable, id: string): Promise<SlackAnswerRecord | null> {
  const rows = await db.query<{
    id: string;
    surface: SlackSurface;
    question: string;
    answer: Answer | string;
    team_id: string | null;
    channel_id: string | null;
    thread_ts: string | null;
    user_id: string | null;
    created_at: Date | string;
  }>('SELECT * FROM slack_answers WHERE id = $1', [id]);
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    surface: r.surface,
    question: r.question,
    answer: typeof r.answer === 'string' ? (JSON.parse(r.answer) as Answer) : r.answer,
    teamId: r.team_id,
    channelId: r.channel_id,
    threadTs: r.thread_ts,
    userId: r.user_id,
    createdAt: new Date(r.created_at).toISOString(),
  };
}
