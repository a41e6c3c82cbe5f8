import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { AppError } from '../../../src/errors.ts';

const BOT = 'xoxb-1-abc';
const SECRET = '8f742231b10e8888abcd9912345685a5';
const APP = 'xapp-1-A1-abc';

function message(env: Record<string, string>): string {
  try {
    loadConfig(env, '/srv');
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('config.invalid');
    return (err as AppError).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('Slack configuration', () => {
  it('is off (the local console) without Slack variables, with PORT 3000 and slack.com', () => {
    expect(loadConfig({}, '/srv').slack).toEqual({ mode: 'off', botToken: undefined, signingSecret: undefined, appToken: undefined, apiUrl: undefined, port: 3000, reviewChannelId: undefined });
    // Blank values in .env mean "not set".
    expect(loadConfig({ SLACK_BOT_TOKEN: ' ', SLACK_SIGNING_SECRET: '' }, '/srv').slack.mode).toBe('off');
  });

  it('is HTTP mode with a bot token and a signing secret', () => {
    const s = loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET, PORT: '8080' }, '/srv').slack;
    expect(s).toMatchObject({ mode: 'http', botToken: BOT, signingSecret: SECRET, port: 8080 });
  });

  it('is Socket Mode when an app-level token is set (the signing secret is then optional)', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP }, '/srv').slack.mode).toBe('socket');
    expect(loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_SIGNING_SECRET: SECRET }, '/srv').slack.mode).toBe('socket');
  });

  it('normalises SLACK_API_URL to end in one slash (GovSlack, a local stand-in)', () => {
    expect(loadConfig({ SLACK_API_URL: 'https://slack-gov.com/api' }, '/srv').slack.apiUrl).toBe('https://slack-gov.com/api/');
    expect(loadConfig({ SLACK_API_URL: 'http://127.0.0.1:9000/api//' }, '/srv').slack.apiUrl).toBe('http://127.0.0.1:9000/api/');
  });

  it('reads REVIEW_CHANNEL_ID (a channel id) and refuses anything else', () => {
    expect(loadConfig({ REVIEW_CHANNEL_ID: ' C0REVIEW1 ' }, '/srv').slack.reviewChannelId).toBe('C0REVIEW1');
    expect(loadConfig({ REVIEW_CHANNEL_ID: 'G0REVIEW1' }, '/srv').slack.reviewChannelId).toBe('G0REVIEW1');
    expect(loadConfig({ REVIEW_CHANNEL_ID: '' }, '/srv').slack.reviewChannelId).toBeUndefined();
    expect(message({ REVIEW_CHANNEL_ID: '#comment-review' })).toContain('REVIEW_CHANNEL_ID: expected a Slack channel id starting with "C" or "G"');
  });

  it('refuses half a configuration, naming what is missing', () => {
    expect(message({ SLACK_BOT_TOKEN: BOT })).toContain('needs SLACK_SIGNING_SECRET (HTTP mode, a public /slack/events URL) or SLACK_APP_TOKEN (Socket Mode)');
    expect(message({ SLACK_SIGNING_SECRET: SECRET })).toContain('SLACK_BOT_TOKEN: required when SLACK_SIGNING_SECRET is set');
    expect(message({ SLACK_APP_TOKEN: APP })).toContain('SLACK_BOT_TOKEN: required when SLACK_APP_TOKEN is set');
  });

  it('catches tokens pasted into the wrong variable, and bad URLs and ports', () => {
    expect(message({ SLACK_BOT_TOKEN: APP, SLACK_SIGNING_SECRET: SECRET })).toContain('SLACK_BOT_TOKEN: expected a bot token starting with "xoxb-"');
    expect(message({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: BOT })).toContain('SLACK_APP_TOKEN: expected an app-level token starting with "xapp-"');
    expect(message({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: 'not-a-secret' })).toContain('SLACK_SIGNING_SECRET: expected the hex signing secret');
    expect(message({ SLACK_API_URL: 'slack-gov.com/api' })).toContain('SLACK_API_URL: expected a URL starting with http:// or https://');
    expect(message({ PORT: '70000' })).toContain('PORT: expected a whole number from 0 to 65535');
  });
});
