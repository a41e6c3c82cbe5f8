import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { PROJECT_ROOT } from '../../../ingest/pipeline.ts';
import type { ListenerKind } from '../../../src/slack/deps.ts';
import { allListeners } from '../../../src/slack/listeners/index.ts';
import { answerMessages } from '../../../src/slack/views/answer.ts';
import { feedbackReasonModal, thanksMessage } from '../../../src/slack/views/feedback.ts';
import { ACTION_IDS, VIEW_IDS } from '../../../src/slack/views/ids.ts';
import { commentCard } from '../../../src/slack/views/comment-card.ts';
import { commentDetailsModal, commentTagsModal } from '../../../src/slack/views/comment-details.ts';
import { commentFormModal } from '../../../src/slack/views/comment-form.ts';
import { commentListMessage } from '../../../src/slack/views/comment-list.ts';
import { staffHomeView } from '../../../src/slack/views/home.ts';
import { sampleAnswer } from './sample-answer.ts';
import { sampleComment, sampleDetails, sampleHome, TOPICS } from './sample-comment.ts';

const manifestSchema = z.object({
  display_information: z.object({ name: z.string().min(1).max(35), description: z.string().min(1).max(140), long_description: z.string().min(175).max(4000) }),
  features: z.object({
    bot_user: z.object({ display_name: z.string().min(1).max(80) }),
    assistant_view: z.object({ assistant_description: z.string().min(1) }).optional(),
    slash_commands: z.array(z.object({ command: z.string().startsWith('/'), description: z.string().min(1) })).default([]),
    shortcuts: z.array(z.object({ name: z.string(), type: z.enum(['message', 'global']), callback_id: z.string(), description: z.string() })).default([]),
  }),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
  settings: z.object({
    event_subscriptions: z.object({ bot_events: z.array(z.string()) }),
    interactivity: z.object({ is_enabled: z.boolean() }).optional(),
    socket_mode_enabled: z.boolean(),
  }),
});

const manifest = manifestSchema.parse(parse(readFileSync(path.join(PROJECT_ROOT, 'manifest.yml'), 'utf8')));

function registered(kind: ListenerKind): string[] {
  return allListeners.flatMap((l) => l.handles.filter((h) => h.kind === kind).map((h) => h.name)).sort();
}

/** The scopes each subscribed feature needs; the manifest must ask for exactly their union. */
const SCOPES_FOR_EVENT: Record<string, string[]> = {
  app_mention: ['app_mentions:read'],
  'message.im': ['im:history'],
  // Uploads into the library channel, public or private.
  'message.channels': ['channels:history'],
  'message.groups': ['groups:history'],
  assistant_thread_started: ['assistant:write'],
  assistant_thread_context_changed: ['assistant:write'],
  // The Home tab shows staff the queue: who is external (users.info), who is in the staff user group.
  app_home_opened: ['users:read', 'usergroups:read'],
};

/** Reading a whole thread to summarize it: conversations.replies in every kind of conversation, and the authors' names and workspaces. */
const THREAD_READ_SCOPES = ['channels:history', 'groups:history', 'im:history', 'mpim:history', 'users:read', 'team:read'];

/**
 * Taking a comment: the submitter's name, e-mail and workspace (users.info, team.info), their files
 * (files.info and the download), the receipt by DM (conversations.open), and the review card in
 * REVIEW_CHANNEL_ID, checked to be private at start-up (conversations.info).
 */
const COMMENT_INTAKE_SCOPES = ['users:read', 'users:read.email', 'team:read', 'files:read', 'im:write', 'channels:read', 'groups:read'];
/** The staff side: who is staff (users.info, usergroups.users.list) and exports uploaded into the DM. */
const COMMENT_STAFF_SCOPES = ['users:read', 'usergroups:read', 'files:write', 'im:write'];

/** The scopes each command or shortcut needs beyond `commands` (and chat:write). */
const SCOPES_FOR_FEATURE: Record<string, string[]> = {
  '/ask': [],
  ask_about_message: [],
  '/summarize': THREAD_READ_SCOPES,
  summarize_thread: THREAD_READ_SCOPES,
  '/comment': COMMENT_INTAKE_SCOPES,
  submit_comment: COMMENT_INTAKE_SCOPES,
  add_to_comment_queue: COMMENT_INTAKE_SCOPES,
  '/comments': COMMENT_STAFF_SCOPES,
  // Who is a library admin (users.info, usergroups.users.list); shared files read (files.info, download).
  '/library': ['users:read', 'usergroups:read', 'files:read'],
};

/** Every action_id the builders put in blocks, found by walking the rendered output. */
function actionIdsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => actionIdsIn(v, out));
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ((o.type === 'button' || o.type === 'static_select') && typeof o.action_id === 'string') out.add(o.action_id);
    Object.values(o).forEach((v) => actionIdsIn(v, out));
  }
  return out;
}

describe('manifest.yml and the registered listeners', () => {
  it('subscribes to exactly the events that have listeners', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(registered('event'));
  });

  it('declares exactly the slash commands that have listeners', () => {
    expect(manifest.features.slash_commands.map((c) => c.command).sort()).toEqual(registered('command'));
  });

  it('declares exactly the shortcuts that have listeners', () => {
    expect(manifest.features.shortcuts.map((s) => s.callback_id).sort()).toEqual(registered('shortcut'));
  });

  it('has a listener for every action and view the builders emit, and no listener for anything else', () => {
    expect(registered('action')).toEqual(Object.values(ACTION_IDS).sort());
    expect(registered('view')).toEqual(Object.values(VIEW_IDS).sort());
    const emitted = new Set<string>();
    for (const m of answerMessages(sampleAnswer(), { answerId: 'a_abcdefgh', shareable: true })) actionIdsIn(m.blocks, emitted);
    actionIdsIn(thanksMessage('a_abcdefgh', true).blocks, emitted);
    const comment = sampleComment();
    actionIdsIn(commentCard(comment, TOPICS).blocks, emitted);
    // A long comment's card also offers its full text as a file.
    actionIdsIn(commentCard({ ...comment, text: 'A long letter. '.repeat(4_000) }, TOPICS).blocks, emitted);
    actionIdsIn(commentListMessage({ comments: [comment], total: 30, offset: 10, filterText: '', filterSummary: '', topics: TOPICS }).blocks, emitted);
    actionIdsIn(staffHomeView(sampleHome(), TOPICS).blocks, emitted);
    expect([...emitted].sort()).toEqual(registered('action'));
    expect(feedbackReasonModal({ answerId: 'a_abcdefgh', helpful: false }).callback_id).toBe(VIEW_IDS.feedbackReason);
    expect(commentFormModal({ topics: TOPICS, documents: [], metadata: { origin: 'shortcut' } }).callback_id).toBe(VIEW_IDS.commentForm);
    expect(commentTagsModal(comment, { commentId: comment.id }).callback_id).toBe(VIEW_IDS.commentTags);
    expect(commentDetailsModal(sampleDetails(), TOPICS, { commentId: comment.id }).callback_id).toBe(VIEW_IDS.commentDetails);
  });

  it('turns interactivity on when there are buttons, modals or shortcuts', () => {
    const interactive = registered('action').length + registered('view').length + registered('shortcut').length > 0;
    expect(manifest.settings.interactivity?.is_enabled ?? false).toBe(interactive);
  });

  it('has the assistant view when the assistant events are handled', () => {
    const assistant = registered('event').some((e) => e.startsWith('assistant_thread_'));
    expect(manifest.features.assistant_view !== undefined).toBe(assistant);
  });

  it('asks for the least bot scopes: exactly what the features need', () => {
    const needed = new Set<string>(['chat:write']);
    for (const e of manifest.settings.event_subscriptions.bot_events) {
      const scopes = SCOPES_FOR_EVENT[e];
      expect(scopes, `no known scope for event ${e}`).toBeDefined();
      scopes!.forEach((s) => needed.add(s));
    }
    if (manifest.features.slash_commands.length + manifest.features.shortcuts.length > 0) needed.add('commands');
    for (const f of [...manifest.features.slash_commands.map((c) => c.command), ...manifest.features.shortcuts.map((x) => x.callback_id)]) {
      const scopes = SCOPES_FOR_FEATURE[f];
      expect(scopes, `no known scopes for ${f}`).toBeDefined();
      scopes!.forEach((x) => needed.add(x));
    }
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('runs in Socket Mode as shipped (no public URL needed)', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });
});
