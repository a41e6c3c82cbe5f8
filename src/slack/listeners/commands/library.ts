import { z } from 'zod';
import { listDocumentsForLibrary, requireLibraryAdmin, retireDocument, setLibraryFacts } from '../../../app/library.ts';
import { AppError } from '../../../errors.ts';
import type { SlackListener } from '../../deps.ts';
import { enqueueRequest, jobSpec } from '../../enqueue.ts';
import { LIBRARY_ADD_JOB, LIBRARY_DIFF_JOB } from '../../jobs/library.ts';
import { libraryActor } from '../../library/context.ts';
import { reportLibraryFailure, unwrapSlackLink } from '../../library/reply.ts';
import { responsePoster } from '../../post.ts';
import { COMMANDS } from '../../views/ids.ts';
import { factsSetMessage, LIBRARY_HELP, libraryListMessage, retiredMessage } from '../../views/library.ts';
import { noticeMessage, section } from '../../views/message.ts';

export const libraryCommandSchema = z.object({
  command: z.literal(COMMANDS.library),
  text: z.string().max(3000).default(''),
  user_id: z.string(),
  team_id: z.string().optional(),
  channel_id: z.string(),
  response_url: z.string().url(),
  trigger_id: z.string().optional(),
});

/**
 * `/library [list] | add <url> | set <id> field=value... | retire <id> | help`, for library
 * admins; everyone else (and every external user) is refused, and the refusal logged. Adding
 * runs as a job (a fetch and an ingest take a while); the receipt comes to the response_url.
 */
export const libraryCommand: SlackListener = {
  handles: [{ kind: 'command', name: COMMANDS.library }],
  register(app, deps) {
    app.command(COMMANDS.library, async ({ command, ack, respond, client }) => {
      const parsed = libraryCommandSchema.safeParse(command);
      if (!parsed.success) {
        await ack({ response_type: 'ephemeral', text: 'Usage: `/library`, `/library add <url>`, `/library set <id> field=value`, `/library retire <id>`.' });
        return;
      }
      await ack();
      const c = parsed.data;
      const post = responsePoster(respond);
      const log = { kind: 'command', command: c.command, channel: c.channel_id, userId: c.user_id };
      const services = deps.services;
      try {
        const actor = await libraryActor(deps, client, { userId: c.user_id, teamId: c.team_id ?? null });
        const [sub = 'list', ...rest] = c.text.trim().split(/\s+/).filter(Boolean);
        switch (sub.toLowerCase()) {
          case 'list':
            await post(libraryListMessage(await listDocumentsForLibrary(services, actor)));
            return;
          case 'help':
            requireLibraryAdmin(services, actor, 'library.help');
            await post({ text: LIBRARY_HELP, blocks: [section(LIBRARY_HELP)] });
            return;
          case 'add': {
            const url = unwrapSlackLink(rest[0] ?? '');
            requireLibraryAdmin(services, actor, 'library.add', url);
            if (!/^https?:\/\/\S+$/i.test(url)) throw new AppError('input.invalid', 'Give the address of the document: `/library add https://…`. To add a file, share it with me in a DM or upload it into the library channel.');
            const facts = rest.slice(1).join(' ');
            const queued = await enqueueRequest(
              deps,
              log,
              post,
              jobSpec(LIBRARY_ADD_JOB, { requester: c.user_id, teamId: c.team_id ?? null, input: { kind: 'url', url }, facts, reply: { via: 'response_url', url: c.response_url } }),
              { dedupeKey: c.trigger_id ? `slack:trigger:${c.trigger_id}` : null },
            );
            if (queued.outcome === 'queued') await post(noticeMessage(`Fetching ${url}; you will get a receipt here when it is in the library.`));
            return;
          }
          case 'set': {
            const [id, ...facts] = rest;
            if (!id) throw new AppError('input.invalid', 'Usage: `/library set <id> issued=2023-02 status=current supersedes=<id>`.');
            const r = await setLibraryFacts(services, actor, id, facts.join(' '));
            await post(factsSetMessage(r.facts));
            if (r.newlySupersedes.length > 0 && services.config.library.channelId) {
              await enqueueRequest(deps, log, post, jobSpec(LIBRARY_DIFF_JOB, { newId: id, oldIds: r.newlySupersedes, by: c.user_id }), {
                dedupeKey: c.trigger_id ? `slack:trigger:${c.trigger_id}:diff` : null,
              });
            }
            return;
          }
          case 'retire': {
            const id = rest[0];
            if (!id) throw new AppError('input.invalid', 'Usage: `/library retire <id>` (`/library` lists the ids).');
            await post(retiredMessage(await retireDocument(services, actor, id)));
            return;
          }
          default:
            requireLibraryAdmin(services, actor, 'library.help');
            throw new AppError('input.invalid', `Unknown \`/library ${sub}\`.\n${LIBRARY_HELP}`);
        }
      } catch (err) {
        await reportLibraryFailure(deps, err, log, post);
      }
    });
  },
};
