import { createHmac, randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config.ts';
import { STAND_IN_BOT } from './slack-stand-in.ts';

/** Any hex string works as a signing secret; config accepts hex. */
export const TEST_SIGNING_SECRET = '8f742231b10e8888abcd9912345685a5';
export const TEST_BOT_TOKEN = 'xoxb-0000000000-test-token';

/**
 * The configuration of a Slack app under test: HTTP mode signed with TEST_SIGNING_SECRET, the Web
 * API at the stand-in, a free port, extractive answers (LLM mode has its own tests); `extra` adds
 * or overrides settings.
 */
export function slackTestConfig(standIn: { apiUrl: string }, extra: Record<string, string> = {}): Config {
  return loadConfig({
    ...process.env,
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_APP_TOKEN: '',
    SLACK_API_URL: standIn.apiUrl,
    PORT: '0',
    OPENAI_API_KEY: '',
    OPENAI_BASE_URL: '',
    ...extra,
  });
}

/** Slack's v0 signature: HMAC-SHA256 over `v0:{timestamp}:{raw body}` with the signing secret. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedPostOptions {
  secret?: string;
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  retryNum?: number;
  retryReason?: string;
  /** Overrides the computed signature (to send a bad one). */
  signature?: string;
  contentType?: 'application/json' | 'application/x-www-form-urlencoded';
}

export interface SignedResponse {
  status: number;
  body: string;
  /** Milliseconds from sending to the full response. */
  ms: number;
}

/** POSTs a body to the app's /slack/events exactly as Slack would, signed. */
export async function signedPost(url: string, body: string, options: SignedPostOptions = {}): Promise<SignedResponse> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': options.signature ?? slackSignature(options.secret ?? TEST_SIGNING_SECRET, timestamp, body),
  };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
  }
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: text, ms: performance.now() - started };
}

export function newEventId(): string {
  return `Ev${randomBytes(6).toString('hex').toUpperCase()}`;
}

/** An Events API envelope (event_callback) around `event`. */
export function eventEnvelope(event: Record<string, unknown>, eventId = newEventId()): { eventId: string; body: string } {
  return {
    eventId,
    body: JSON.stringify({
      token: 'legacy-verification-token',
      team_id: STAND_IN_BOT.teamId,
      api_app_id: STAND_IN_BOT.appId,
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: STAND_IN_BOT.teamId, user_id: STAND_IN_BOT.userId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    }),
  };
}

export function mentionEvent(args: { text: string; channel?: string; ts: string; threadTs?: string; user?: string }): Record<string, unknown> {
  return {
    type: 'app_mention',
    user: args.user ?? 'UASKER1',
    text: `<@${STAND_IN_BOT.userId}> ${args.text}`,
    ts: args.ts,
    ...(args.threadTs ? { thread_ts: args.threadTs } : {}),
    channel: args.channel ?? 'CPOLICY1',
    event_ts: args.ts,
  };
}

export function dmEvent(args: { text: string; channel?: string; ts: string; threadTs?: string; user?: string; extra?: Record<string, unknown> }): Record<string, unknown> {
  return {
    type: 'message',
    user: args.user ?? 'UASKER1',
    text: args.text,
    ts: args.ts,
    ...(args.threadTs ? { thread_ts: args.threadTs } : {}),
    channel: args.channel ?? 'DPOLICY1',
    channel_type: 'im',
    event_ts: args.ts,
    ...args.extra,
  };
}

/** A slash command as Slack posts it: a form. */
export function commandForm(args: { text: string; responseUrl: string; command?: string; user?: string; channel?: string }): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: STAND_IN_BOT.teamId,
    team_domain: 'policy-desk-test',
    channel_id: args.channel ?? 'CPOLICY1',
    channel_name: 'policy',
    user_id: args.user ?? 'UASKER1',
    user_name: 'asker',
    command: args.command ?? '/ask',
    text: args.text,
    api_app_id: STAND_IN_BOT.appId,
    is_enterprise_install: 'false',
    response_url: args.responseUrl,
    trigger_id: `${Date.now()}.trigger`,
  }).toString();
}

/** An interactivity payload (block_actions, view_submission, message_action) as Slack posts it. */
export function interactionForm(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function buttonClick(args: {
  actionId: string;
  value: string;
  responseUrl: string;
  user?: string;
  channel?: string;
  messageTs?: string;
  ephemeral?: boolean;
}): Record<string, unknown> {
  const messageTs = args.messageTs ?? '1760000000.000001';
  return {
    type: 'block_actions',
    user: { id: args.user ?? 'UASKER1', username: 'asker', team_id: STAND_IN_BOT.teamId },
    api_app_id: STAND_IN_BOT.appId,
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: messageTs, channel_id: args.channel ?? 'CPOLICY1', is_ephemeral: args.ephemeral ?? false },
    trigger_id: `${Date.now()}.trigger`,
    team: { id: STAND_IN_BOT.teamId, domain: 'policy-desk-test' },
    channel: { id: args.channel ?? 'CPOLICY1', name: 'policy' },
    ...(args.ephemeral ? {} : { message: { type: 'message', ts: messageTs, text: 'answer', user: STAND_IN_BOT.userId } }),
    response_url: args.responseUrl,
    actions: [
      { action_id: args.actionId, block_id: 'answer_actions', text: { type: 'plain_text', text: 'x' }, value: args.value, type: 'button', action_ts: `${Date.now() / 1000}` },
    ],
  };
}

export function viewSubmission(args: { viewId: string; callbackId: string; privateMetadata: string; values: Record<string, unknown>; user?: string }): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: STAND_IN_BOT.teamId, domain: 'policy-desk-test' },
    user: { id: args.user ?? 'UASKER1', username: 'asker', team_id: STAND_IN_BOT.teamId },
    api_app_id: STAND_IN_BOT.appId,
    token: 'legacy-verification-token',
    trigger_id: `${Date.now()}.trigger`,
    view: {
      id: args.viewId,
      team_id: STAND_IN_BOT.teamId,
      type: 'modal',
      callback_id: args.callbackId,
      private_metadata: args.privateMetadata,
      state: { values: args.values },
      hash: '1.abc',
      app_id: STAND_IN_BOT.appId,
      bot_id: STAND_IN_BOT.botId,
    },
    response_urls: [],
  };
}
