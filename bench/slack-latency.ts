/**
 * Slack app latency over real HTTP on loopback: signed app_mention events sent at a steady rate
 * to the Bolt HTTP receiver, with the local Slack Web API stand-in receiving the answers.
 *   npx tsx bench/slack-latency.ts [rate per second=5] [events=100]
 * Reports the ack latency (request sent -> HTTP 200) and the end-to-end answer latency (request
 * sent -> chat.postMessage arrives at the stand-in), p50/p95/p99/max. The app is `policy-desk start`
 * in a child process (PGlite on disk in a temporary directory). Bounded: at most 2,000
 * events and 120 s of sending; only 127.0.0.1 is contacted. Events come from many people, one
 * user id per event up to 500 (the rate limits are per person, as in an office); exit 1 with a
 * clear message when any event is not acked with 200 or not answered.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../ingest/pipeline.ts';
import { readEvalSet } from '../src/app/evaluate.ts';
import { eventEnvelope, mentionEvent, signedPost, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../test/helpers/slack-requests.ts';
import { startSlackStandIn } from '../test/helpers/slack-stand-in.ts';
import { machine, summarize } from './lib.ts';

const rate = Math.min(200, Math.max(0.1, Number(process.argv[2] ?? 5)));
const count = Math.min(2000, Math.max(1, Math.floor(Number(process.argv[3] ?? 100))));
const MAX_SEND_SECONDS = 120;
const ANSWER_WAIT_MS = 60_000;
const USERS = Math.min(count, 500);
const userOf = (i: number) => `UBENCH${String(i % USERS).padStart(4, '0')}`;

// The app runs as `npm start` does, in its own process: a load generator in the same process
// would only see the ack once the app's answer work yields the event loop.
const standIn = await startSlackStandIn();
const work = await mkdtemp(path.join(os.tmpdir(), 'pd-bench-slack-'));
const env = { ...process.env };
for (const k of Object.keys(env)) if (k.startsWith('SLACK_') || k.startsWith('OPENAI_') || k === 'DATABASE_URL' || k === 'PORT') delete env[k];
const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'policy-desk.js'), 'start'], {
  cwd: PROJECT_ROOT,
  env: {
    ...env,
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: standIn.apiUrl,
    PORT: '0',
    POLICY_DESK_DATA_DIR: path.join(work, 'data'),
    LOG_LEVEL: 'error',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const port = await new Promise<number>((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error(`app did not start in 120 s:\n${out}`)), 120_000);
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = out.match(/Ready on port (\d+)/);
    if (m) {
      clearTimeout(timer);
      resolve(Number(m[1]));
    }
  });
  child.on('exit', (code) => reject(new Error(`app exited with ${code}:\n${out}`)));
});
const url = `http://127.0.0.1:${port}/slack/events`;
const questions = (await readEvalSet(path.join(PROJECT_ROOT, 'test', 'fixtures', 'eval', 'questions.jsonl'))).map((q) => q.question);

console.log(`machine: ${machine()}`);
console.log(`app: \`policy-desk start\` in its own process, HTTP mode, PGlite on disk, bundled corpus, extractive answers`);
console.log(`load: ${count} signed app_mention events at ${rate}/s from ${USERS} users over loopback HTTP (after 5 warm-up events)`);

interface Sample {
  ts: string;
  sentAt: number;
  ackMs?: number;
  status?: number;
}

async function send(sample: Sample, question: string, user: string): Promise<void> {
  const { body } = eventEnvelope(mentionEvent({ text: question, ts: sample.ts, channel: 'CBENCH', user }));
  sample.sentAt = performance.now();
  const res = await signedPost(url, body);
  sample.ackMs = res.ms;
  sample.status = res.status;
}

// Warm-up (not counted): first-query planning, JIT, connection set-up.
for (let i = 0; i < 5; i++) {
  const s: Sample = { ts: standIn.nextTs(), sentAt: 0 };
  await send(s, questions[i % questions.length]!, `UWARM${i}`);
  await standIn.waitFor('warm-up answer', () => standIn.callsOf('chat.postMessage').some((c) => c.body.thread_ts === s.ts), 30_000);
}
standIn.clear();

const samples: Sample[] = [];
const pending: Array<Promise<void>> = [];
const started = performance.now();
const interval = 1000 / rate;
for (let i = 0; i < count; i++) {
  const due = started + i * interval;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  if (performance.now() - started > MAX_SEND_SECONDS * 1000) break;
  const s: Sample = { ts: standIn.nextTs(), sentAt: 0 };
  samples.push(s);
  pending.push(send(s, questions[i % questions.length]!, userOf(i)));
}
await Promise.all(pending);
const sendSeconds = (performance.now() - started) / 1000;

// End to end: until the answer reaches the stand-in's chat.postMessage.
const answeredAt = new Map<string, number>();
const deadline = performance.now() + ANSWER_WAIT_MS;
while (answeredAt.size < samples.length && performance.now() < deadline) {
  for (const c of standIn.callsOf('chat.postMessage')) {
    const ts = String(c.body.thread_ts);
    if (!answeredAt.has(ts)) answeredAt.set(ts, c.at);
  }
  await new Promise((r) => setTimeout(r, 20));
}

const ack = summarize(samples.filter((s) => s.ackMs !== undefined).map((s) => s.ackMs!));
const e2e = summarize(samples.filter((s) => answeredAt.has(s.ts)).map((s) => answeredAt.get(s.ts)! - s.sentAt));
const fmt = (x: number) => `${x.toFixed(1)} ms`;
const non200 = samples.filter((s) => s.status !== 200).length;
console.log(`sent ${samples.length} events in ${sendSeconds.toFixed(1)} s (${(samples.length / sendSeconds).toFixed(1)}/s); non-200 acks: ${non200}; answered: ${answeredAt.size}/${samples.length}`);
console.log(`ack (HTTP 200)      p50 ${fmt(ack.p50)}  p95 ${fmt(ack.p95)}  p99 ${fmt(ack.p99)}  max ${fmt(ack.max)}`);
console.log(`answer end to end   p50 ${fmt(e2e.p50)}  p95 ${fmt(e2e.p95)}  p99 ${fmt(e2e.p99)}  max ${fmt(e2e.max)}`);

const unanswered = samples.length - answeredAt.size;

child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
await standIn.stop();
await rm(work, { recursive: true, force: true });
if (unanswered > 0 || non200 > 0) {
  console.error(
    `FAILED: ${unanswered} of ${samples.length} event(s) got no answer within ${ANSWER_WAIT_MS / 1000} s after sending ended and ${non200} ack(s) were not 200; ` +
      'the figures above leave them out and do not measure this load (a rate limit, a refusal or an error?).',
  );
  process.exitCode = 1;
}
