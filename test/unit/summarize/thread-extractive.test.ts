import { describe, expect, it } from 'vitest';
import { loadPrompts } from '../../../src/answer/prompts.ts';
import { quoteOccursIn } from '../../../src/answer/citations.ts';
import { loadConfig } from '../../../src/config.ts';
import { createLogger } from '../../../src/log.ts';
import { messagePermalink, toThreadMessages } from '../../../src/summarize/replies.ts';
import { renderSummaryText } from '../../../src/summarize/render-text.ts';
import { actionOwner, summarizeThread, type ThreadMessage } from '../../../src/summarize/thread.ts';
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
    expect(texts(s.agreements)).toContain('I agree with Dana that the 30-day review for allies would help co-production programs.');
    expect(texts(s.disagreements)).toEqual(
      expect.arrayContaining([
        'We strongly oppose any change that weakens human rights vetting before a sale.',
        'I disagree with Tom on co-production: partners with weak oversight records should not get faster approvals.',
      ]),
    );
    expect(texts(s.openQuestions)).toEqual(['How would the guidance measure whether end-use monitoring actually reduces diversion risk?']);
    const actions = s.actionItems.map((a) => [a.text, a.owner]);
    expect(actions).toContainEqual(['I will circulate a revised draft with target review times by Friday.', 'Maya Chen']);
    expect(actions).toContainEqual(["@Priya Natarajan can you draft the section on end-use monitoring metrics for Lena's question?", 'Priya Natarajan']);
    // The bot's reminder and the deleted message are never summarized.
    const all = JSON.stringify(s);
    expect(all).not.toContain('Reminder: comments on the draft');
    expect(all).not.toContain('This message was deleted');
  });

  it('names action owners from mentions, "Action: X to ...", or the speaker saying "I will"', () => {
    expect(actionOwner('@Priya Natarajan can you draft the section?', 'Maya Chen')).toBe('Priya Natarajan');
    expect(actionOwner('Action item: Omar to draft the paragraph on drones.', 'Tom')).toBe('Omar');
    expect(actionOwner('Tom to send the data by Friday.', 'Lena')).toBe('Tom');
    expect(actionOwner("I'll follow up with the licensing office next week.", 'Lena Fischer')).toBe('Lena Fischer');
    expect(actionOwner('Please send comments by Friday.', 'Maya')).toBeUndefined();
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
    expect(text).toContain('Open questions\n  - How would the guidance measure whether end-use monitoring actually reduces diversion risk? [');
    expect(text).toMatch(/\(owner: Maya Chen\) \[\d+\]/);
    expect(text).toMatch(/\n {2}\[1\] Maya Chen \(ISN\/CATR\) {2}https:\/\/acme\.slack\.com\/archives\/CFEEDBACK1\/p1760100000000100\n/);
  });

  it('a thread with nothing but bots says so', async () => {
    const s = await summarizeThread(await ctx(), { messages: messagesOf(shortThread().filter((m) => m.bot_id), SHORT_THREAD_TS) });
    expect(s.notes).toEqual(['The thread has no messages from people to summarize.']);
    expect(allPoints(s)).toEqual([]);
  });
});
