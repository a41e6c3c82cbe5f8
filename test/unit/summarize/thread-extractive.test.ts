import { describe, expect, it } from 'vitest';
import { loadPrompts } from '../../../src/answer/prompts.ts';
import { quoteOccursIn } from '../../../src/answer/citations.ts';
import { loadConfig } from '../../../src/config.ts';
import { createLogger } from '../../../src/log.ts';
import { messagePermalink, toThreadMessages } from '../../../src/summarize/replies.ts';
import { renderSummaryText } from '../../../src/summarize/render-text.ts';
import { summarizeThread, type ThreadMessage } from '../../../src/summarize/thread.ts';
import type { Summary, SummaryPoint, SummaryProgress } from '../../../src/summarize/types.ts';
import { generateThread, PEOPLE, SHORT_THREAD_TS, shortThread, THREAD_CHANNEL } from '../../helpers/thread-fixtures.ts';

const people = new Map(PEOPLE.map((p) => [p.id, { name: p.name, organization: p.organization }]));
// Extractive mode: no model configured, whatever the developer's shell says.
const ctx = async () => ({ config: loadConfig({ OPENAI_API_KEY: '', OPENAI_BASE_URL: '' }), logger: createLogger('silent'), prompts: await loadPrompts() });

function messagesOf(raw: ReturnType<typeof shortThread>, root: string): ThreadMessage[] {
  return toThreadMessages(raw, { people, permalink: (ts) => messagePermalink('https://acme.slack.com', THREAD_CHANNEL, ts, root) });
}

function allPoints(s: Summary): SummaryPoint[] {
  return [...s.overview, ...s.positions.flatMap((p) => p.points), ...s.agreements, ...s.disagreements, ...s.openQuestions, ...s.actionItems];
}

/** What every summary promises: each point has a source in the thread; each quote is verbatim in its source message. */
function expectGrounded(s: Summary, messages: ThreadMessage[]): void {
  const byTs = new Map(messages.map((m) => [m.ts, m]));
  for (const p of allPoints(s)) {
    expect(p.sources.length).toBeGreaterThan(0);
    for (const src of p.sources) {
      const m = byTs.get(src.id);
      expect(m, `source ${src.id}`).toBeDefined();
      expect(m!.isBot || m!.deleted).toBe(false);
      expect(src.link).toBe(m!.permalink);
    }
    for (const q of p.quotes) expect(quoteOccursIn(q.text, byTs.get(q.source.id)!.text)).toBe(true);
  }
  for (const t of s.themes) for (const q of t.quotes) expect(byTs.get(q.source.id)!.text).toContain(q.text);
}

describe('extractive thread summaries (no model)', () => {
  it('finds positions, agreement, disagreement, the open question and the action items of a short thread', async () => {
    const messages = messagesOf(shortThread(), SHORT_THREAD_TS);
    const s = await summarizeThread(await ctx(), { title: 'Feedback thread', messages });
    expect(s.mode).toBe('extractive');
    expect(s.notes).toEqual([]);
    expect(s.stats.thread).toEqual({ messages: 12, summarized: 10, participants: 6, botMessages: 1, deletedMessages: 1, editedMessages: 1, files: 1 });
    expectGrounded(s, messages);

    const texts = (ps: SummaryPoint[]) => ps.map((p) => p.text);
    expect(s.positions.map((p) => `${p.participant} (${p.organization})`)).toEqual(
      expect.arrayContaining(['Dana Reyes (Acme Defense Systems)', 'Omar Haddad (Arms Control Watch)', 'Tom Becker (Allied Aerospace)']),
    );
    expect(texts(s.positions.find((p) => p.participant === 'Dana Reyes')!.points)).toContain('We support shortening the license review timeline for close allies to 30 days.');
    // Agreement as a group: Dana's position, Tom agreeing with it, both messages cited.
    const dana = s.agreements.find((a) => a.text === 'We support shortening the license review timeline for close allies to 30 days.');
    expect(dana?.heldBy).toEqual([{ id: 'UDANA002', name: 'Dana Reyes' }]);
    expect(dana?.agreedBy).toEqual([{ id: 'UTOMB005', name: 'Tom Becker' }]);
    expect(dana?.sources.map((x) => x.label)).toEqual(['Dana Reyes (Acme Defense Systems)', 'Tom Becker (Allied Aerospace)']);
    // Omar pushes back on Dana (m2 on m1) and on Tom (m6 on m4).
    expect(s.disagreements.map((d) => [d.heldBy?.[0]?.name, d.pushedBackBy?.map((x) => x.name)])).toEqual([
      ['Dana Reyes', ['Omar Haddad']],
      ['Tom Becker', ['Omar Haddad']],
    ]);
    expect(texts(s.openQuestions)).toEqual(['How would the guidance measure whether end-use monitoring actually reduces diversion risk?']);
    // Owners are Slack user ids: the writer of "I will ...", the user mentioned in a request.
    const actions = s.actionItems.map((a) => [a.text, a.owner, a.ownerName]);
    expect(actions).toEqual([
      ['I will circulate a revised draft with target review times by Friday.', 'UMAYA001', 'Maya Chen'],
      ["@Priya Natarajan can you draft the section on end-use monitoring metrics for Lena's question?", 'UPRIY006', 'Priya Natarajan'],
    ]);
    // The message is from Friday 2025-10-10: "by Friday" is that day.
    expect(s.actionItems[0]!.due).toEqual({ text: 'by Friday', date: '2025-10-10' });
    // Dana's question is taken up by Maya's "I will circulate a revised draft with target review times".
    expect(s.answeredQuestions.map((q) => [q.text, q.answeredBy?.map((x) => x.name)])).toEqual([
      ['Could the guidance publish target review times for each case category?', ['Maya Chen']],
    ]);
    // The bot's reminder and the deleted message are never summarized.
    const all = JSON.stringify(s);
    expect(all).not.toContain('Reminder: comments on the draft');
    expect(all).not.toContain('This message was deleted');
  });

  it('summarizes a 300-message thread with themes, in order, deterministically', async () => {
    const { messages: raw, threadTs } = generateThread(300, 7, { botUserId: 'UPOLICYBOT', botId: 'BPOLICYBOT' });
    const messages = toThreadMessages(raw, { people, botUserId: 'UPOLICYBOT', permalink: (ts) => messagePermalink('https://acme.slack.com', THREAD_CHANNEL, ts, threadTs) });
    const progress: SummaryProgress[] = [];
    const s = await summarizeThread(await ctx(), { messages }, { onProgress: (p) => progress.push(p) });
    expectGrounded(s, messages);
    expect(s.overview.length).toBeGreaterThanOrEqual(3);
    expect(s.themes.length).toBeGreaterThanOrEqual(3);
    for (const t of s.themes) {
      expect(t.count).toBeGreaterThan(1);
      expect(Object.values(t.byOrganization!).reduce((a, b) => a + b, 0)).toBe(t.count);
    }
    expect(s.stats.thread!.summarized + s.stats.thread!.botMessages + s.stats.thread!.deletedMessages).toBe(300);
    expect(progress.at(-1)?.phase).toBe('done');
    // Same input, same summary.
    const again = await summarizeThread(await ctx(), { messages });
    expect({ ...again, generatedAt: '' }).toEqual({ ...s, generatedAt: '' });
    // Points are listed in thread order within a section.
    const order = s.overview.map((p) => p.sources[0]!.id);
    expect([...order].sort()).toEqual(order);
  });

  it('renders as text with numbered sources that point at the permalinks', async () => {
    const messages = messagesOf(shortThread(), SHORT_THREAD_TS);
    const text = renderSummaryText(await summarizeThread(await ctx(), { title: 'Feedback thread', messages }));
    expect(text).toMatch(/^Feedback thread \(extractive: quoted sentences, staff only\)\n12 messages; 10 from 6 participants summarized; 1 bot message and 1 deleted message left out/);
    expect(text).toContain('Open questions\n  - How would the guidance measure whether end-use monitoring actually reduces diversion risk? (asked by Lena Fischer) [');
    expect(text).toMatch(/\(owner: Maya Chen; due by Friday \(2025-10-10\)\) \[\d+\]/);
    expect(text).toMatch(/\n {2}\[1\] Maya Chen \(ISN\/CATR\) {2}https:\/\/acme\.slack\.com\/archives\/CFEEDBACK1\/p1760100000000100\n/);
  });

  it('a thread with nothing but bots says so', async () => {
    const s = await summarizeThread(await ctx(), { messages: messagesOf(shortThread().filter((m) => m.bot_id), SHORT_THREAD_TS) });
    expect(s.notes).toEqual(['The thread has no messages from people to summarize.']);
    expect(allPoints(s)).toEqual([]);
  });
});
