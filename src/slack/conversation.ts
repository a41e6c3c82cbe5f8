import { tooLongMessage } from './answering.ts';
import type { DeliveryInfo } from './dedupe.ts';
import type { SlackDeps } from './deps.ts';
import { botIds, enqueueDelivery, jobSpec, questionGate, type EnqueueOutcome } from './enqueue.ts';
import { ANSWER_JOB, type AnswerJobPayload } from './jobs/answer.ts';
import { SUMMARIZE_JOB, type SummarizeJobPayload } from './jobs/summarize.ts';
import type { Poster } from './post.ts';
import { parseSummarizeText } from './summarizing.ts';
import { plainSlackText } from './thread-history.ts';
import { noticeMessage, usageMessage } from './views/message.ts';

/**
 * Something said to the app in a conversation (a mention, a DM, the assistant pane), as a job:
 * "summarize …" is a summarize.thread job, anything else a question (answer.slack), an empty or
 * over-long one a hint sent at once. The person's question budget is taken in the transaction
 * that records the delivery (enqueueDelivery), so a Slack retry costs nothing.
 */
export interface ConversationTurn {
  delivery: DeliveryInfo;
  /** Replies in the conversation (the thread the answer goes to). */
  post: Poster;
  /** Where a refusal goes (a rate limit): default `post`; a channel mention tells only the asker. */
  refuse?: Poster;
  context: { teamId?: string; botUserId?: string; botId?: string };
  user: string;
  channel: string;
  text: string;
  surface: 'mention' | 'dm' | 'assistant';
  /** The thread the reply goes in. */
  replyThreadTs: string;
  /** The thread the message was said in, if any ("summarize this thread" means that one). */
  inThreadTs?: string;
  /** The reply is seen only by the person (a DM, the pane), so a private summary may go there. */
  privateHere: boolean;
  /** The hint for a message with no question in it. */
  usage: string;
  /** Answers only: read the thread so far as context, and the assistant pane's status and title. */
  answer?: Pick<AnswerJobPayload, 'history' | 'assistant'>;
}

export async function enqueueConversationTurn(deps: SlackDeps, t: ConversationTurn): Promise<EnqueueOutcome> {
  const limits = { gate: questionGate(deps, { teamId: t.context.teamId ?? null, userId: t.user }), ...(t.refuse ? { refuse: t.refuse } : {}) };
  const intent = parseSummarizeText(t.text);
  if (intent) {
    const summary: SummarizeJobPayload = {
      flow: 'conversation',
      intent,
      requester: t.user,
      ...botIds(t.context),
      channel: t.channel,
      replyThreadTs: t.replyThreadTs,
      ...(t.inThreadTs ? { inThreadTs: t.inThreadTs } : {}),
      privateHere: t.privateHere,
      surface: t.surface,
      assistantStatus: t.surface === 'assistant',
    };
    return enqueueDelivery(deps, t.delivery, t.post, jobSpec(SUMMARIZE_JOB, summary), limits);
  }
  const question = plainSlackText(t.text);
  const tooLong = tooLongMessage(question);
  const payload: AnswerJobPayload = {
    question,
    surface: t.surface,
    teamId: t.context.teamId ?? null,
    channelId: t.channel,
    threadTs: t.replyThreadTs,
    userId: t.user,
    shareable: false,
    reply: { via: 'thread', channel: t.channel, threadTs: t.replyThreadTs },
    ...t.answer,
  };
  return enqueueDelivery(deps, t.delivery, t.post, question && !tooLong ? jobSpec(ANSWER_JOB, payload) : null, {
    ...limits,
    inline: () => t.post(tooLong ? noticeMessage(tooLong) : usageMessage(t.usage)),
  });
}
