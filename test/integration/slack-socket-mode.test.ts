import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CORPUS_DIR } from '../../ingest/pipeline.ts';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/types.ts';
import { createServices, ingest, type Services } from '../../src/app/services.ts';
import { startSlackApp, type RunningSlackApp } from '../../src/slack/app.ts';
import { messageViolations } from '../../src/slack/limits.ts';
import { ACTION_IDS } from '../../src/slack/views/ids.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.ts';
import { eventEnvelope, mentionEvent, newEventId, TEST_BOT_TOKEN } from '../helpers/slack-requests.ts';
import { STAND_IN_BOT, startSlackStandIn, type SlackStandIn } from '../helpers/slack-stand-in.ts';

/** Socket Mode against the stand-in: apps.connections.open, then envelopes over a local WebSocket. */
describe(`Slack app in Socket Mode (${dbLabel})`, () => {
  let standIn: SlackStandIn;
  let db: Db;
  let services: Services;
  let logs: CapturedLogs;
  let running: RunningSlackApp;
  let envelopes = 0;
  const envelopeId = () => `env-${++envelopes}`;

  beforeAll(async () => {
    standIn = await startSlackStandIn();
    db = await openTestDb();
    logs = captureLogs();
    const config = loadConfig({
      ...process.env,
      SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
      SLACK_APP_TOKEN: 'xapp-1-APOLICY-test',
      SLACK_SIGNING_SECRET: '',
      SLACK_API_URL: standIn.apiUrl,
      PORT: '0',
      OPENAI_API_KEY: '',
      OPENAI_BASE_URL: '',
    });
    expect(config.slack.mode).toBe('socket');
    services = await createServices(config, { db, logger: logs.logger });
    await ingest(services, [BUNDLED_CORPUS_DIR]);
    running = await startSlackApp(services, { retryConfig: { retries: 2, factor: 1, minTimeout: 50, maxTimeout: 100 } });
    await standIn.waitFor('the socket connection', () => standIn.socketConnections > 0);
  });

  afterAll(async () => {
    await running?.stop();
    await db?.close();
    await standIn?.stop();
  });

  it('opened its connection through SLACK_API_URL with the app-level token', () => {
    const open = standIn.callsOf('apps.connections.open');
    expect(open.length).toBeGreaterThan(0);
    expect(open[0]!.headers.authorization).toBe('Bearer xapp-1-APOLICY-test');
    expect(running.mode).toBe('socket');
  });

  it('acks an event envelope and answers the mention in its thread; a retried envelope posts nothing more', async () => {
    const ts = standIn.nextTs();
    const eventId = newEventId();
    const payload = JSON.parse(eventEnvelope(mentionEvent({ text: 'What are the three lines of effort in the implementation plan?', ts, channel: 'CSOCK' }), eventId).body);
    const id = envelopeId();
    standIn.sendEnvelope({ envelope_id: id, type: 'events_api', payload });
    await standIn.waitFor('the envelope ack', () => standIn.socketAcks.find((a) => a.envelope_id === id));
    const [post] = await standIn.waitFor('the answer', () => {
      const p = standIn.callsOf('chat.postMessage').filter((c) => c.body.thread_ts === ts);
      return p.length > 0 && p;
    });
    expect(JSON.stringify(post!.body.blocks)).toContain('Prioritizing strategic competition');
    expect(messageViolations({ text: String(post!.body.text), blocks: post!.body.blocks as never })).toEqual([]);

    const retryId = envelopeId();
    standIn.sendEnvelope({ envelope_id: retryId, type: 'events_api', payload, retry_attempt: 1, retry_reason: 'timeout' });
    await standIn.waitFor('the retry ack', () => standIn.socketAcks.find((a) => a.envelope_id === retryId));
    await logs.waitFor('the retry skipped', (l) => l.slackEventId === eventId && l.msg === 'slack: duplicate delivery skipped');
    expect(standIn.callsOf('chat.postMessage').filter((c) => c.body.thread_ts === ts)).toHaveLength(1);
  });

  it('acks /ask at once and answers through the response_url', async () => {
    const id = envelopeId();
    const release = standIn.hold('response_url');
    try {
      standIn.sendEnvelope({
        envelope_id: id,
        type: 'slash_commands',
        payload: {
          token: 'legacy',
          team_id: STAND_IN_BOT.teamId,
          channel_id: 'CSOCK',
          user_id: 'UASKER1',
          command: '/ask',
          text: 'What are the three lines of effort?',
          api_app_id: STAND_IN_BOT.appId,
          response_url: standIn.responseUrl('sock-ask'),
          trigger_id: 'trigger',
        },
      });
      // The ack arrives while the answer is held at the stand-in.
      await standIn.waitFor('the held answer', () => standIn.calls.find((c) => c.responseId === 'sock-ask'));
      expect(standIn.socketAcks.find((a) => a.envelope_id === id)).toBeDefined();
    } finally {
      release();
    }
    const reply = standIn.calls.find((c) => c.responseId === 'sock-ask')!;
    expect(reply.body.response_type).toBe('ephemeral');
    expect(JSON.stringify(reply.body.blocks)).toContain(ACTION_IDS.share);
  });
});
