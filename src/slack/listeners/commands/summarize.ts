import { z } from 'zod';
import type { SlackListener } from '../../deps.ts';
import { botIds, enqueueRequest, jobSpec, questionGate } from '../../enqueue.ts';
import { SUMMARIZE_JOB } from '../../jobs/summarize.ts';
import { responsePoster } from '../../post.ts';
import { parseSummarizeText, SUMMARIZE_USAGE } from '../../summarizing.ts';
import { COMMANDS } from '../../views/ids.ts';

export const summarizeCommandSchema = z.object({
  command: z.literal(COMMANDS.summarize),
  text: z.string().default(''),
  user_id: z.string(),
  channel_id: z.string(),
  team_id: z.string().optional(),
  response_url: z.string().url().max(2000),
  trigger_id: z.string().max(255).optional(),
});

/**
 * `/summarize <message link> [private]`: the linked message's thread, summarized (a
 * summarize.thread job, jobs/summarize.ts). Posted in that thread, or with `private` shown only to
 * the requester here. A thread in another conversation is summarized only for someone who is in
 * it (checkRequesterSees).
 */
export const summarizeCommand: SlackListener = {
  handles: [{ kind: 'command', name: COMMANDS.summarize }],
  register(app, deps) {
    app.command(COMMANDS.summarize, async ({ command, ack, respond, context }) => {
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
      await enqueueRequest(
        deps,
        { kind: 'command', command: c.command, channel: c.channel_id },
        responsePoster(respond),
        jobSpec(SUMMARIZE_JOB, {
          flow: 'command',
          channel: link.channel,
          threadTs: link.threadTs ?? link.ts,
          askedIn: c.channel_id,
          origin: link.origin,
          requester: c.user_id,
          ...botIds(context),
          private: intent.private,
          responseUrl: c.response_url,
        }),
        { dedupeKey: c.trigger_id ? `slack:trigger:${c.trigger_id}` : null, gate: questionGate(deps, { teamId: c.team_id ?? null, userId: c.user_id }) },
      );
    });
  },
};
