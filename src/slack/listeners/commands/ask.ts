import { z } from 'zod';
import { answerInSlack, MAX_QUESTION_CHARS } from '../../answering.ts';
import type { SlackListener } from '../../deps.ts';
import { reportFailure } from '../../failures.ts';
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
  response_url: z.string().url(),
});

/**
 * `/ask <question>`: acknowledged at once (Slack allows 3 s), then answered through the
 * response_url, ephemeral, with a button to share the answer in the channel.
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
      if (c.text.length > MAX_QUESTION_CHARS) {
        await ack({ response_type: 'ephemeral', text: `That question is ${c.text.length} characters long; please keep it under ${MAX_QUESTION_CHARS}.` });
        return;
      }
      await ack();
      const post = responsePoster(respond);
      try {
        const { messages } = await answerInSlack(deps, {
          question: c.text,
          surface: 'command',
          teamId: c.team_id ?? null,
          channelId: c.channel_id,
          threadTs: null,
          userId: c.user_id,
          shareable: true,
        });
        await post(messages);
      } catch (err) {
        await reportFailure(deps, err, { kind: 'command', command: c.command, channel: c.channel_id }, post);
      }
    });
  },
};
