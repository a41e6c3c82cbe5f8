import { z } from 'zod';
import { getSlackAnswer } from '../../../db/slack.ts';
import type { SlackListener } from '../../deps.ts';
import { reportFailure } from '../../failures.ts';
import { responsePoster } from '../../post.ts';
import { answerMessages } from '../../views/answer.ts';
import { ACTION_IDS } from '../../views/ids.ts';
import { noticeMessage } from '../../views/message.ts';
import { answerIdSchema, buttonClickSchema } from './payload.ts';
import { GONE } from './feedback.ts';

const shareButtonSchema = z.object({ action_id: z.literal(ACTION_IDS.share), value: answerIdSchema });

/**
 * "Share in channel" on an ephemeral answer: the same answer is posted for everyone through the
 * response_url (which also works where the bot is not a member), and the private copy is removed.
 */
export const shareAnswer: SlackListener = {
  handles: [{ kind: 'action', name: ACTION_IDS.share }],
  register(app, deps) {
    app.action(ACTION_IDS.share, async ({ ack, body, action, respond }) => {
      await ack();
      const click = buttonClickSchema.safeParse(body);
      const button = shareButtonSchema.safeParse(action);
      if (!click.success || !button.success) return;
      const answerId = button.data.value;
      const privately = responsePoster(respond);
      try {
        const record = await getSlackAnswer(deps.services.db, answerId);
        if (!record) {
          await privately(noticeMessage(GONE.replace('the feedback could not be attached to it', 'it cannot be shared')));
          return;
        }
        await responsePoster(respond, 'in_channel')(answerMessages(record.answer, { answerId, sharedBy: click.data.user.id }));
        await respond({ delete_original: true });
        deps.logger.info({ answerId }, 'slack: answer shared in channel');
      } catch (err) {
        await reportFailure(deps, err, { kind: 'action', actionId: ACTION_IDS.share, answerId }, privately);
      }
    });
  },
};
