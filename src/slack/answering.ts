import { saveSlackAnswer, type SlackAnswerRecord, type SlackSurface } from '../db/slack.ts';
import { AppError } from '../errors.ts';
import { ask } from '../app/services.ts';
import type { SlackDeps } from './deps.ts';
import type { HistoryTurn } from './thread-history.ts';
import { answerMessages } from './views/answer.ts';
import type { SlackMessage } from './views/message.ts';

export const MAX_QUESTION_CHARS = 2000;

export function tooLongMessage(question: string): string | null {
  return question.length > MAX_QUESTION_CHARS ? `That question is ${question.length} characters long; please keep it under ${MAX_QUESTION_CHARS}.` : null;
}

export interface SlackQuestion {
  question: string;
  history?: HistoryTurn[];
  surface: SlackSurface;
  teamId: string | null;
  channelId: string | null;
  threadTs: string | null;
  userId: string | null;
  /** Ephemeral replies get a "Share in channel" button. */
  shareable?: boolean;
}

/**
 * The Slack side of a question: the same ask() as the console and CLI, the answer stored (so
 * feedback and share buttons can find it), then rendered as Slack messages.
 */
export async function answerInSlack(deps: SlackDeps, q: SlackQuestion): Promise<{ record: SlackAnswerRecord; messages: SlackMessage[] }> {
  const tooLong = tooLongMessage(q.question);
  if (tooLong) throw new AppError('input.invalid', tooLong);
  const answer = await ask(deps.services, q.question, q.history && q.history.length > 0 ? { history: q.history } : {});
  const record = await saveSlackAnswer(deps.services.db, {
    surface: q.surface,
    question: q.question,
    answer,
    teamId: q.teamId,
    channelId: q.channelId,
    threadTs: q.threadTs,
    userId: q.userId,
  });
  deps.logger.info(
    { answerId: record.id, surface: q.surface, mode: answer.mode, abstained: answer.abstained, citations: answer.citations.length, historyTurns: q.history?.length ?? 0 },
    'slack: answered',
  );
  return { record, messages: answerMessages(answer, { answerId: record.id, shareable: q.shareable }) };
}
