import { z } from 'zod';
import type { SlackListener } from '../../deps.ts';
import { reportFailure } from '../../failures.ts';
import { channelPoster, responsePoster } from '../../post.ts';
import { checkRequesterSees, parseSummarizeText, responseUrlPoster, responseUrlStatus, summarizeThreadInSlack, SUMMARIZE_USAGE } from '../../summarizing.ts';
import { COMMANDS } from '../../views/ids.ts';

export const summarizeCommandSchema = z.object({
  command: z.literal(COMMANDS.summarize),
  text: z.string().default(''),
  user_id: z.string(),
  channel_id: z.string(),
  response_url: z.string().url(),
});

/**
 * `/summarize <message link> [private]`: the linked message's thread, summarized. Posted in that
 * thread, or with `private` shown only to the requester here. A thread in another conversation is
 * summarized only for someone who is in it (checkRequesterSees).
 */
export const summarizeCommand: SlackListener = {
  handles: [{ kind: 'command', name: COMMANDS.summarize }],
  register(app, deps) {
    app.command(COMMANDS.summarize, async ({ command, ack, respond, client, context }) => {
      const parsed = summarizeCommandSchema.safeParse(command);
      // The command itself is the request, so "summarize" need not be typed again.
      const intent = parsed.success ? parseSummarizeText(`summarize ${parsed.data.text}`) : null;
      if (!parsed.success || !intent?.link) {
        await ack({ response_type: 'ephemeral', text: `Give me a link to a message in the thread (its ⋮ menu, *Copy link*). ${SUMMARIZE_USAGE}` });
        return;
      }
      await ack();
      const c = parsed.data;
      const link = intent.link;
      const threadTs = link.threadTs ?? link.ts;
      const status = responseUrlStatus(respond);
      try {
        if (link.channel !== c.channel_id) await checkRequesterSees(client, { channel: link.channel, threadTs }, c.user_id);
        await summarizeThreadInSlack(deps, {
          client,
          channel: link.channel,
          ts: threadTs,
          requester: c.user_id,
          botUserId: context.botUserId,
          botId: context.botId,
          status,
          deliver: intent.private ? responseUrlPoster(respond, () => status.used() > 0) : channelPoster(client, link.channel, threadTs),
          surface: 'command',
          shareable: !intent.private,
        });
        if (!intent.private) {
          await respond({ response_type: 'ephemeral', replace_original: status.used() > 0, text: `Done: the summary is in the thread (${link.origin}/archives/${link.channel}/p${threadTs.replace('.', '')}).` }).catch(
            () => undefined,
          );
        }
      } catch (err) {
        await reportFailure(deps, err, { kind: 'command', command: c.command, channel: c.channel_id }, responsePoster(respond));
      }
    });
  },
};
