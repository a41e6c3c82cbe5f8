import { z } from 'zod';
import { setFeedbackReason } from '../../../db/feedback.ts';
import { once } from '../../dedupe.ts';
import type { SlackListener } from '../../deps.ts';
import { channelPoster } from '../../post.ts';
import { PROBLEM_KINDS, PROBLEMS_ACTION, PROBLEMS_BLOCK, REASON_ACTION, REASON_BLOCK, REASON_MAX } from '../../views/feedback.ts';
import { VIEW_IDS } from '../../views/ids.ts';
import { answerIdSchema } from '../actions/payload.ts';

const metadataSchema = z.object({ answerId: answerIdSchema, helpful: z.boolean() });

/** The modal's state as Slack sends it; both inputs are optional. */
export const feedbackStateSchema = z.object({
  [PROBLEMS_BLOCK]: z
    .object({
      [PROBLEMS_ACTION]: z.object({
        selected_options: z.array(z.object({ value: z.enum(Object.keys(PROBLEM_KINDS) as [keyof typeof PROBLEM_KINDS]) })).nullish(),
      }),
    })
    .optional(),
  [REASON_BLOCK]: z.object({ [REASON_ACTION]: z.object({ value: z.string().max(REASON_MAX).nullish() }) }).optional(),
});

/** Checked problems and free text as one readable reason, or null when the person gave none. */
export function reasonFrom(state: z.infer<typeof feedbackStateSchema>): string | null {
  const kinds = (state[PROBLEMS_BLOCK]?.[PROBLEMS_ACTION].selected_options ?? []).map((o) => PROBLEM_KINDS[o.value]);
  const text = state[REASON_BLOCK]?.[REASON_ACTION].value?.trim() ?? '';
  const reason = [kinds.join('; '), text].filter(Boolean).join(' | ');
  return reason || null;
}

const submissionSchema = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({ id: z.string(), private_metadata: z.string(), state: z.object({ values: z.record(z.string(), z.unknown()) }) }),
});

/** The optional reason after a vote. Deduplicated by view id, so a double submit stores once. */
export const feedbackReason: SlackListener = {
  handles: [{ kind: 'view', name: VIEW_IDS.feedbackReason }],
  register(app, deps) {
    app.view(VIEW_IDS.feedbackReason, async ({ ack, body, client }) => {
      await ack();
      const parsed = submissionSchema.safeParse(body);
      if (!parsed.success) {
        deps.logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'slack: unexpected feedback modal submission');
        return;
      }
      const { user, view } = parsed.data;
      // No response_url here: a failure is told in the person's DM with the app.
      const tell = channelPoster(client, user.id);
      await once(deps, { id: `view:${view.id}`, kind: 'view_submission', callbackId: VIEW_IDS.feedbackReason }, tell, async () => {
        const meta = metadataSchema.parse(JSON.parse(view.private_metadata));
        const reason = reasonFrom(feedbackStateSchema.parse(view.state.values));
        if (reason === null) return;
        const updated = await setFeedbackReason(deps.services.db, meta.answerId, user.id, reason);
        deps.logger.info({ answerId: meta.answerId, stored: updated !== null }, 'slack: feedback reason stored');
      });
    });
  },
};
