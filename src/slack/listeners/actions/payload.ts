import { z } from 'zod';

/** The parts of a block_actions payload the button listeners use. */
export const buttonClickSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string() }),
  team: z.object({ id: z.string() }).nullable().optional(),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ message_ts: z.string().optional(), is_ephemeral: z.boolean().optional() }).passthrough().optional(),
  message: z.object({ ts: z.string() }).passthrough().optional(),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
});

export const answerIdSchema = z.string().regex(/^a_[A-Za-z0-9_-]{6,40}$/, 'not an answer id');

export type ButtonClick = z.infer<typeof buttonClickSchema>;
