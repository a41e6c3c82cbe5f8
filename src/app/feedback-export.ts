import { stringify } from 'csv-stringify/sync';
import type { FeedbackRecord } from '../db/feedback.ts';

export type FeedbackFormat = 'csv' | 'json';

export const FEEDBACK_CSV_COLUMNS = [
  'id',
  'created_at',
  'updated_at',
  'helpful',
  'reason',
  'question',
  'answer',
  'mode',
  'abstained',
  'citations',
  'citation_titles',
  'surface',
  'user_id',
  'team_id',
  'channel_id',
  'message_ts',
  'answer_id',
] as const;

/**
 * Feedback as CSV (one row per vote; citations as a JSON column plus a readable list of
 * titles) or as a JSON array of the stored records.
 */
export function formatFeedback(records: FeedbackRecord[], format: FeedbackFormat): string {
  if (format === 'json') return `${JSON.stringify(records, null, 2)}\n`;
  return stringify(
    records.map((r) => ({
      id: r.id,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
      helpful: r.helpful ? 'yes' : 'no',
      reason: r.reason ?? '',
      question: r.question,
      answer: r.answer,
      mode: r.mode,
      abstained: r.abstained ? 'yes' : 'no',
      citations: JSON.stringify(r.citations),
      citation_titles: r.citations.map((c) => `[${c.n}] ${c.document.title}`).join('; '),
      surface: r.surface ?? '',
      user_id: r.userId,
      team_id: r.teamId ?? '',
      channel_id: r.channelId ?? '',
      message_ts: r.messageTs ?? '',
      answer_id: r.answerId ?? '',
    })),
    { header: true, columns: [...FEEDBACK_CSV_COLUMNS] },
  );
}
