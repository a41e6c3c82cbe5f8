import { describe, expect, it } from 'vitest';
import { messageViolations } from '../../../src/slack/limits.ts';
import { DEFAULT_COMMENT_TOPICS, parseCommentTopics } from '../../../src/config.ts';
import { isDocketSummaryText, parseDocketSummaryText } from '../../../src/slack/docket-summarizing.ts';
import { parseSummarizeText, progressText } from '../../../src/slack/summarizing.ts';
import { pointMrkdwn, sourceLink, SUMMARY_OVERFLOW_NOTE, summaryMessages } from '../../../src/slack/views/summary.ts';
import { emptySummary, type SourceRef, type Summary, type SummaryPoint } from '../../../src/summarize/types.ts';

const ref = (i: number): SourceRef => ({ kind: 'message', id: `1760000000.${String(i).padStart(6, '0')}`, link: `https://acme.slack.com/archives/C1/p1760000000${String(i).padStart(6, '0')}`, label: `Person ${i} (Org <${i}>)` });
const point = (i: number, text = `Point ${i} about <licensing> & reviews.`): SummaryPoint => ({ text, sources: [ref(i)], quotes: [{ text: `Quoted words number ${i} from the message`, source: ref(i) }] });

function bigSummary(n: number): Summary {
  const s = emptySummary('thread', 'llm', 'Summary of the thread started by Maya Chen');
  s.stats.thread = { messages: 5000, summarized: 4900, participants: 40, botMessages: 80, deletedMessages: 20, editedMessages: 33, files: 12 };
  s.overview = Array.from({ length: 6 }, (_, i) => point(i));
  s.positions = Array.from({ length: 40 }, (_, i) => ({ participant: `Person ${i}`, organization: `Org ${i}`, points: [point(i, 'x'.repeat(900)), point(i + 1)] }));
  s.agreements = Array.from({ length: n }, (_, i) => point(i));
  s.actionItems = [{ ...point(3), owner: 'Maya <Chen>' }];
  s.notes = ['The language model was unavailable, so this summary quotes the messages directly. (reference 1a2b3c4d)'];
  return s;
}

describe('summary blocks', () => {
  it('stay within every Slack limit however long the summary, and say when they were cut', () => {
    const messages = summaryMessages(bigSummary(200), { requestedBy: 'UMAYA001' });
    expect(messages.length).toBeLessThanOrEqual(3);
    for (const m of messages) expect(messageViolations(m)).toEqual([]);
    const all = JSON.stringify(messages);
    expect(all).toContain(SUMMARY_OVERFLOW_NOTE.slice(0, 40));
    expect(all).toContain('Requested by <@UMAYA001>.');
    expect(all).toContain(':information_source: The language model was unavailable');
    expect(messages[0]!.text).toMatch(/^Summary of the thread started by Maya Chen\n- Point 0/);
  });

  it('escapes what people wrote and links each point to its messages by author', () => {
    expect(sourceLink(ref(7))).toBe('<https://acme.slack.com/archives/C1/p1760000000000007|Person 7>');
    expect(sourceLink({ kind: 'comment', id: 'abc-1234-wxyz', label: 'Industry' })).toBe('`abc-1234-wxyz`');
    const text = pointMrkdwn({ ...point(3), owner: 'Maya <Chen>' });
    expect(text).toBe(
      '• Point 3 about &lt;licensing&gt; &amp; reviews. — _owner: Maya &lt;Chen&gt;_ (<https://acme.slack.com/archives/C1/p1760000000000003|Person 3>)\n>_“Quoted words number 3 from the message”_',
    );
  });

  it('an empty summary still renders', () => {
    const s = emptySummary('thread', 'extractive', 'Thread summary');
    s.notes.push('The thread has no messages from people to summarize.');
    const [m] = summaryMessages(s);
    expect(JSON.stringify(m!.blocks)).toContain('_Nothing to summarize._');
  });
});

describe('recognizing a request for a summary', () => {
  it('knows requests from questions', () => {
    expect(parseSummarizeText('<@UBOT> summarize this thread')).toEqual({ private: false });
    expect(parseSummarizeText('can you summarize the discussion please')).toEqual({ private: false });
    expect(parseSummarizeText('tl;dr')).toEqual({ private: false });
    expect(parseSummarizeText('Summarize this thread privately')).toEqual({ private: true });
    expect(parseSummarizeText('summarize <https://acme.slack.com/archives/C0AB12/p1760100000000100> just for me')).toEqual({
      link: { channel: 'C0AB12', ts: '1760100000.000100', origin: 'https://acme.slack.com' },
      private: true,
    });
    expect(parseSummarizeText('What does the summary of the 2018 fact sheet say about drones?')).toBeNull();
    expect(parseSummarizeText('How does the policy summarize human rights?')).toBeNull();
  });

  it('words its progress', () => {
    expect(progressText(1)).toBe('Summarizing 1 message…');
    expect(progressText(1200, { phase: 'map', done: 2, total: 9, message: '' })).toBe('Summarizing 1,200 messages… (part 3 of 9)');
    expect(progressText(1200, { phase: 'reduce', done: 0, total: 2, message: '' })).toBe('Summarizing 1,200 messages… (merging)');
  });
});

describe('/comments summary arguments', () => {
  const topics = parseCommentTopics(DEFAULT_COMMENT_TOPICS);
  it('reads a topic (label or slug), a start date and "shareable" in any order', () => {
    expect(isDocketSummaryText('summary MTCR and UAS')).toBe(true);
    expect(isDocketSummaryText('status:new')).toBe(false);
    expect(parseDocketSummaryText('summary', topics)).toEqual({ shareable: false });
    expect(parseDocketSummaryText('summary MTCR and UAS 2026-09-01', topics)).toEqual({ topic: 'MTCR and UAS', since: '2026-09-01', shareable: false });
    expect(parseDocketSummaryText('summary shareable since:2026-01-31 topic:human-rights-and-ihl', topics)).toEqual({
      topic: 'human-rights-and-ihl',
      since: '2026-01-31',
      shareable: true,
    });
    expect(parseDocketSummaryText('summary none', topics)).toEqual({ topic: 'none', shareable: false });
    expect(parseDocketSummaryText('summary mtcr', topics)).toEqual({ topic: 'mtcr-and-uas', shareable: false });
    expect(() => parseDocketSummaryText('summary bananas', topics)).toThrow(/Unknown topic "bananas"/);
  });
});
