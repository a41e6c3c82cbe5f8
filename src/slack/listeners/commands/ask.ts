import { z } from 'zod';
import { tooLongMessage } from '../../answering.ts';
import type { SlackListener } from '../../deps.ts';
import { enqueueRequest, jobSpec, questionGate } from '../../enqueue.ts';
import { ANSWER_JOB } from '../../jobs/answer.ts';
import { responsePoster } from '../../post.ts';
import { plainSlackText } from '../../thread-history.ts';
import { COMMANDS } from '../../views/ids.ts';
import { ASK_USAGE } from '../../views/message.ts';

export const askCommandSchema = z.object({
  command: z.literal(COMMANDS.ask),
  text: z.string().default('').transform((t) => plainSlackText(t)),
  user_id: z.string(),
  channel_id: z.string(),
  team_id: z.string().optional(),
  response_url: z.string().url().max(2000),
  trigger_id: z.string().max(255).optional(),
});

/**
 * `/ask <question>`: acknowledged at once (Slack allows 3 s), recorded as an answer.slack job, and
 * answered by a worker through the response_url, ephemeral, with a button to share the answer in
 * the channel.
 */
export const askCommand: SlackListener = {
  handles: [{ kind: 'command', name: COMMANDS.ask }],
  register(app, deps) {
    app.command(COMMANDS.ask, async ({ command, ack, respond }) => {
      const parsed = askCommandSchema.safeParse(command);
      if (!parsed.success || !parsed.data.text) {
        await ack({ response_type: 'ephemeral', text: ASK_USAGE });
        return;
      }
      const c = parsed.data;
      const tooLong = tooLongMessage(c.text);
      if (tooLong) {
        await ack({ response_type: 'ephemeral', text: tooLong });
        return;
      }
      await ack();
      await enqueueRequest(
        deps,
        { kind: 'command', command: c.command, channel: c.channel_id },
        responsePoster(respond),
        jobSpec(ANSWER_JOB, {
          question: c.text,
          surface: 'command',
          teamId: c.team_id ?? null,
          channelId: c.channel_id,
          threadTs: null,
          userId: c.user_id,
          shareable: true,
          reply: { via: 'response_url', url: c.response_url },
        }),
        { dedupeKey: c.trigger_id ? `slack:trigger:${c.trigger_id}` : null, gate: questionGate(deps, { teamId: c.team_id ?? null, userId: c.user_id }) },
      );
    });
  },
};
