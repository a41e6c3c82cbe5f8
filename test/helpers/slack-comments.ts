import path from 'node:path';
import { BUNDLED_CORPUS_DIR } from '../../ingest/pipeline.ts';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/types.ts';
import { createServices, ingest, type Services } from '../../src/app/services.ts';
import { startSlackApp, type RunningSlackApp } from '../../src/slack/app.ts';
import { openTestDb } from './db.ts';
import { captureLogs, type CapturedLogs } from './log-capture.ts';
import { commandForm, eventEnvelope, interactionForm, signedPost, TEST_BOT_TOKEN, TEST_SIGNING_SECRET, type SignedResponse } from './slack-requests.ts';
import { STAND_IN_BOT, startSlackStandIn, type RecordedCall, type SlackStandIn } from './slack-stand-in.ts';

/*
 * The comment queue's Slack surfaces under test: one app over HTTP with the Web API stand-in, a
 * cast of people (staff by id, staff by user group, a colleague, partner-organization users) and
 * a private review channel.
 */

export const REVIEW_CHANNEL = 'GREVIEW1';
export const PARTNER_TEAM = 'TPARTNER';
export const PARTNER_NAME = 'Partner Arms Co';

export const PEOPLE = {
  staff: { id: 'USTAFF01', name: 'Sam Staff', teamId: STAND_IN_BOT.teamId, email: 'sam@state.example.gov' },
  groupStaff: { id: 'UGROUP01', name: 'Gail Group', teamId: STAND_IN_BOT.teamId, email: 'gail@state.example.gov' },
  colleague: { id: 'USUBMIT1', name: 'Jane Doe', teamId: STAND_IN_BOT.teamId, email: 'jane@state.example.gov' },
  colleague2: { id: 'USUBMIT2', name: 'John Roe', teamId: STAND_IN_BOT.teamId, email: 'john@state.example.gov' },
  external: { id: 'UEXT0001', name: 'Erik Extern', teamId: PARTNER_TEAM, email: 'erik@partner-arms.example.com', teamName: PARTNER_NAME },
  /** From a partner organization, yet listed in STAFF_USER_IDS: still never staff. */
  externalListed: { id: 'UEXT0002', name: 'Lisa Listed', teamId: PARTNER_TEAM, email: 'lisa@partner-arms.example.com', teamName: PARTNER_NAME },
  /** From a partner organization, yet a member of the staff user group: still never staff. */
  externalInGroup: { id: 'UEXT0003', name: 'Greg Grouped', teamId: PARTNER_TEAM, teamName: PARTNER_NAME },
  /** A stranger: users.info says is_stranger, whatever the team. */
  stranger: { id: 'USTRANGE', name: 'Stan Stranger', teamId: STAND_IN_BOT.teamId, isStranger: true },
} as const;

export const STAFF_GROUP = 'SSTAFF01';

export interface CommentApp {
  standIn: SlackStandIn;
  db: Db;
  services: Services;
  logs: CapturedLogs;
  running: RunningSlackApp;
  url: string;
  /** The id of the one ingested document (for the form's document select). */
  documentId: string;
  close(): Promise<void>;
}

const FAST_RETRY = { retries: 2, factor: 1, minTimeout: 50, maxTimeout: 100 };

/** `jobs: false`: the app runs no workers; the test plays them (see slack-comment-jobs.test.ts). */
export async function startCommentApp(options: { env?: Record<string, string>; standIn?: SlackStandIn; db?: Db; ingestDocs?: boolean; jobs?: false } = {}): Promise<CommentApp> {
  const standIn = options.standIn ?? (await startSlackStandIn());
  standIn.addUsers(Object.values(PEOPLE).map((p) => ({ ...p })));
  standIn.setUsergroup(STAFF_GROUP, [PEOPLE.groupStaff.id, PEOPLE.externalInGroup.id]);
  standIn.setChannel(REVIEW_CHANNEL, { name: 'comment-review', isPrivate: true });
  const db = options.db ?? (await openTestDb());
  const logs = captureLogs();
  const config = loadConfig({
    ...process.env,
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_APP_TOKEN: '',
    SLACK_API_URL: standIn.apiUrl,
    PORT: '0',
    OPENAI_API_KEY: '',
    OPENAI_BASE_URL: '',
    STAFF_USER_IDS: `${PEOPLE.staff.id},${PEOPLE.externalListed.id}`,
    STAFF_USERGROUP_ID: STAFF_GROUP,
    REVIEW_CHANNEL_ID: REVIEW_CHANNEL,
    ...options.env,
  });
  const services = await createServices(config, { db, logger: logs.logger });
  let documentId = '';
  if (options.ingestDocs !== false) {
    await ingest(services, [path.join(BUNDLED_CORPUS_DIR, 'isn-catr-office-mission-statement.txt')]);
    const rows = await db.query<{ id: string }>('SELECT id FROM documents ORDER BY id LIMIT 1');
    documentId = rows[0]?.id ?? '';
  }
  const running = await startSlackApp(services, { port: 0, host: '127.0.0.1', retryConfig: FAST_RETRY, ...(options.jobs === false ? { jobs: false as const } : {}) });
  return {
    standIn,
    db,
    services,
    logs,
    running,
    url: `http://127.0.0.1:${running.port}/slack/events`,
    documentId,
    close: async () => {
      await running.stop();
      if (!options.db) await db.close().catch(() => undefined);
      if (!options.standIn) await standIn.stop();
    },
  };
}

const form = { contentType: 'application/x-www-form-urlencoded' as const };

/** Posts an interactivity payload (signed) and returns the HTTP response, parsed when it is JSON. */
export async function interact(url: string, payload: Record<string, unknown>): Promise<SignedResponse & { json: Record<string, unknown> | null }> {
  const res = await signedPost(url, interactionForm(payload), form);
  let json: Record<string, unknown> | null = null;
  try {
    json = res.body ? (JSON.parse(res.body) as Record<string, unknown>) : null;
  } catch {
    json = null;
  }
  return { ...res, json };
}

export async function slashCommand(url: string, args: { command: string; text: string; user: string; responseUrl: string; channel?: string }): Promise<SignedResponse> {
  const body = new URLSearchParams(commandForm({ text: args.text, responseUrl: args.responseUrl, command: args.command, user: args.user, channel: args.channel ?? 'CPOLICY1' }));
  return signedPost(url, body.toString(), form);
}

export async function homeOpened(url: string, user: string): Promise<SignedResponse> {
  return signedPost(url, eventEnvelope({ type: 'app_home_opened', user, channel: `D${user}`, tab: 'home', event_ts: `${Date.now() / 1000}` }).body);
}

/** The values of a filled-in comment form, as view_submission state. */
export function formValues(v: {
  name?: string;
  email?: string;
  organization?: string;
  organizationType?: string;
  onBehalfOf?: string;
  topic?: string;
  documentId?: string;
  title?: string;
  text?: string;
  consent?: 'yes' | 'no';
  files?: Array<Record<string, unknown>>;
}): Record<string, unknown> {
  const text = (value: string | undefined) => ({ value: { type: 'plain_text_input', value: value ?? null } });
  const select = (value: string | undefined) => ({ value: { type: 'static_select', selected_option: value ? { value, text: { type: 'plain_text', text: value } } : null } });
  return {
    submitterName: text(v.name),
    email: { value: { type: 'email_text_input', value: v.email ?? null } },
    organization: text(v.organization),
    organizationType: select(v.organizationType),
    onBehalfOf: text(v.onBehalfOf),
    topic: select(v.topic),
    ...(v.documentId !== undefined ? { documentId: select(v.documentId) } : {}),
    title: text(v.title),
    text: { value: { type: 'plain_text_input', value: v.text ?? null } },
    attachments: { value: { type: 'file_input', files: v.files ?? [] } },
    consentToPublish: { value: { type: 'radio_buttons', selected_option: v.consent ? { value: v.consent, text: { type: 'plain_text', text: v.consent } } : null } },
  };
}

export function commentFormSubmission(args: { viewId: string; user: string; teamId?: string; values: Record<string, unknown>; metadata: Record<string, unknown> }): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: STAND_IN_BOT.teamId, domain: 'policy-desk-test' },
    user: { id: args.user, username: args.user.toLowerCase(), team_id: args.teamId ?? STAND_IN_BOT.teamId },
    api_app_id: STAND_IN_BOT.appId,
    token: 'legacy-verification-token',
    trigger_id: `${Date.now()}.trigger`,
    view: {
      id: args.viewId,
      team_id: STAND_IN_BOT.teamId,
      type: 'modal',
      callback_id: 'comment_form',
      private_metadata: JSON.stringify(args.metadata),
      state: { values: args.values },
      hash: '1.abc',
      app_id: STAND_IN_BOT.appId,
      bot_id: STAND_IN_BOT.botId,
    },
    response_urls: [],
  };
}

/** A view submission of one of the review modals (details: add note; tags). */
export function reviewModalSubmission(args: {
  callbackId: string;
  viewId: string;
  hash?: string;
  user: string;
  teamId?: string;
  metadata: string;
  values: Record<string, unknown>;
  previousViewId?: string;
}): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: STAND_IN_BOT.teamId, domain: 'policy-desk-test' },
    user: { id: args.user, username: args.user.toLowerCase(), team_id: args.teamId ?? STAND_IN_BOT.teamId },
    api_app_id: STAND_IN_BOT.appId,
    token: 'legacy-verification-token',
    trigger_id: `${Date.now()}.trigger`,
    view: {
      id: args.viewId,
      team_id: STAND_IN_BOT.teamId,
      type: 'modal',
      callback_id: args.callbackId,
      private_metadata: args.metadata,
      state: { values: args.values },
      hash: args.hash ?? '1.abc',
      previous_view_id: args.previousViewId ?? null,
      app_id: STAND_IN_BOT.appId,
      bot_id: STAND_IN_BOT.botId,
    },
    response_urls: [],
  };
}

/** A click on a review card (a message in the review channel) or in a list (ephemeral) or a modal / the Home tab. */
export function blockAction(args: {
  actionId: string;
  user: string;
  teamId?: string;
  value?: string;
  selectedValue?: string;
  responseUrl?: string;
  where: { kind: 'message'; channel: string; ts: string; ephemeral?: boolean } | { kind: 'modal'; viewId: string; metadata: string } | { kind: 'home' };
}): Record<string, unknown> {
  const action = args.selectedValue
    ? { action_id: args.actionId, block_id: 'b', type: 'static_select', selected_option: { value: args.selectedValue, text: { type: 'plain_text', text: 'x' } }, action_ts: `${Date.now() / 1000}` }
    : { action_id: args.actionId, block_id: 'b', type: 'button', value: args.value ?? '', text: { type: 'plain_text', text: 'x' }, action_ts: `${Date.now() / 1000}` };
  const base = {
    type: 'block_actions',
    user: { id: args.user, username: args.user.toLowerCase(), team_id: args.teamId ?? STAND_IN_BOT.teamId },
    api_app_id: STAND_IN_BOT.appId,
    token: 'legacy-verification-token',
    trigger_id: `${Date.now()}.trigger`,
    team: { id: STAND_IN_BOT.teamId, domain: 'policy-desk-test' },
    actions: [action],
  };
  const w = args.where;
  if (w.kind === 'message') {
    return {
      ...base,
      container: { type: 'message', message_ts: w.ts, channel_id: w.channel, is_ephemeral: w.ephemeral ?? false },
      channel: { id: w.channel, name: 'comment-review' },
      ...(w.ephemeral ? {} : { message: { type: 'message', ts: w.ts, text: 'card', user: STAND_IN_BOT.userId } }),
      ...(args.responseUrl ? { response_url: args.responseUrl } : {}),
    };
  }
  if (w.kind === 'modal') {
    return { ...base, container: { type: 'view', view_id: w.viewId }, view: { id: w.viewId, type: 'modal', private_metadata: w.metadata, callback_id: 'comment_details', hash: '1.x' } };
  }
  return { ...base, container: { type: 'view', view_id: 'VHOME' }, view: { id: 'VHOME', type: 'home', private_metadata: '' } };
}

/** "Add to comment queue" on a message. */
export function messageShortcut(args: {
  invoker: string;
  invokerTeam?: string;
  channel: string;
  message: { ts: string; text: string; user?: string; userTeam?: string; files?: Array<Record<string, unknown>> };
  responseUrl: string;
}): Record<string, unknown> {
  return {
    type: 'message_action',
    callback_id: 'add_to_comment_queue',
    trigger_id: `${Date.now()}.trigger`,
    action_ts: `${Date.now() / 1000}`,
    team: { id: STAND_IN_BOT.teamId, domain: 'policy-desk-test' },
    user: { id: args.invoker, name: args.invoker.toLowerCase(), team_id: args.invokerTeam ?? STAND_IN_BOT.teamId },
    channel: { id: args.channel, name: 'partner-shared' },
    message: {
      type: 'message',
      ts: args.message.ts,
      text: args.message.text,
      ...(args.message.user ? { user: args.message.user } : {}),
      ...(args.message.userTeam ? { user_team: args.message.userTeam } : {}),
      ...(args.message.files ? { files: args.message.files } : {}),
    },
    response_url: args.responseUrl,
    token: 'legacy-verification-token',
  };
}

export function globalShortcut(user: string): Record<string, unknown> {
  return {
    type: 'shortcut',
    callback_id: 'submit_comment',
    trigger_id: `${Date.now()}.trigger`,
    action_ts: `${Date.now() / 1000}`,
    team: { id: STAND_IN_BOT.teamId, domain: 'policy-desk-test' },
    user: { id: user, username: user.toLowerCase(), team_id: STAND_IN_BOT.teamId },
    token: 'legacy-verification-token',
  };
}

export function textOf(call: RecordedCall): string {
  return `${String(call.body.text ?? '')} ${JSON.stringify(call.body.blocks ?? call.body.view ?? [])}`;
}

/** Posts into a person's DM with the app (conversations.open gives D<user id> in the stand-in). */
export function dmsTo(standIn: SlackStandIn, user: string): RecordedCall[] {
  return standIn.callsOf('chat.postMessage').filter((c) => c.body.channel === `D${user}`);
}

export function cardsPosted(standIn: SlackStandIn): RecordedCall[] {
  return standIn.callsOf('chat.postMessage').filter((c) => c.body.channel === REVIEW_CHANNEL);
}

export function responsesTo(standIn: SlackStandIn, id: string): RecordedCall[] {
  return standIn.calls.filter((c) => c.responseId === id);
}

export async function pollUntil<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
