import type { App } from '@slack/bolt';
import { z } from 'zod';
import { recordFeedback } from '../../../db/feedback.ts';
import { getSlackAnswer } from '../../../db/slack.ts';
import type { SlackDeps, SlackListener } from '../../deps.ts';
import { reportFailure } from '../../failures.ts';
import { responsePoster } from '../../post.ts';
import { feedbackReasonModal, thanksMessage } from '../../views/feedback.ts';
import { ACTION_IDS } from '../../views/ids.ts';
import { noticeMessage } from '../../views/message.ts';
import { answerIdSchema, buttonClickSchema } from './payload.ts';

const buttonSchema = z.object({ action_id: z.string(), value: answerIdSchema });

export const GONE = 'That answer is no longer stored, so the feedback could not be attached to it.';

function registerVote(app: App, deps: SlackDeps, actionId: string, helpful: boolean): void {
  app.action(actionId, async ({ ack, body, action, client, respond }) => {
    await ack();
    const click = buttonClickSchema.safeParse(body);
    const button = buttonSchema.safeParse(action);
    if (!click.success || !button.success) {
      deps.logger.warn({ actionId }, 'slack: unexpected feedback click payload');
      return;
    }
    const b = click.data;
    const answerId = button.data.value;
    const post = responsePoster(respond);
    try {
      const record = await getSlackAnswer(deps.services.db, answerId);
      if (!record) {
        await post(noticeMessage(GONE));
        return;
      }
      // Stored (committed) before the user is told it is recorded.
      const stored = await recordFeedback(deps.services.db, {
        record,
        helpful,
        userId: b.user.id,
        teamId: b.team?.id ?? null,
        channelId: b.channel?.id ?? null,
        messageTs: b.message?.ts ?? b.container?.message_ts ?? null,
      });
      deps.logger.info({ answerId, feedbackId: stored.id, helpful }, 'slack: feedback stored');
      if (!helpful && b.trigger_id) {
        // A trigger_id lasts about 3 s; if it has expired, the button below opens the same modal.
        const opened = await client.views
          .open({ trigger_id: b.trigger_id, view: feedbackReasonModal({ answerId, helpful }) })
          .then(() => true)
          .catch((err: unknown) => {
            deps.logger.warn({ err, answerId }, 'slack: could not open the feedback modal');
            return false;
          });
        if (opened) return;
      }
      await post(thanksMessage(answerId, helpful));
    } catch (err) {
      await reportFailure(deps, err, { kind: 'action', actionId, answerId }, post);
    }
  });
}

/** Helpful / Not helpful under every answer: the vote is stored at once; "Not helpful" asks for an optional reason. */
export const feedbackVotes: SlackListener = {
  handles: [
    { kind: 'action', name: ACTION_IDS.helpful },
    { kind: 'action', name: ACTION_IDS.notHelpful },
  ],
  register(app, deps) {
    registerVote(app, deps, ACTION_IDS.helpful, true);
    registerVote(app, deps, ACTION_IDS.notHelpful, false);
  },
};

const commentButtonSchema = z.object({
  action_id: z.literal(ACTION_IDS.addComment),
  value: z.string().transform((v, ctx) => {
    const [answerId = '', vote = ''] = v.split(':');
    const id = answerIdSchema.safeParse(answerId);
    if (!id.success || (vote !== 'helpful' && vote !== 'not_helpful')) {
      ctx.addIssue({ code: 'custom', message: 'expected <answer id>:helpful|not_helpful' });
      return z.NEVER;
    }
    return { answerId: id.data, helpful: vote === 'helpful' };
  }),
});

/** "Add a comment" on the thank-you note: opens the optional-reason modal for a vote already stored. */
export const feedbackComment: SlackListener = {
  handles: [{ kind: 'action', name: ACTION_IDS.addComment }],
  register(app, deps) {
    app.action(ACTION_IDS.addComment, async ({ ack, body, action, client, respond }) => {
      await ack();
      const click = buttonClickSchema.safeParse(body);
      const button = commentButtonSchema.safeParse(action);
      if (!click.success || !button.success || !click.data.trigger_id) return;
      try {
        await client.views.open({ trigger_id: click.data.trigger_id, view: feedbackReasonModal(button.data.value) });
      } catch (err) {
        await reportFailure(deps, err, { kind: 'action', actionId: ACTION_IDS.addComment }, responsePoster(respond));
      }
    });
  },
};
