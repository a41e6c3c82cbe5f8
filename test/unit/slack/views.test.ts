import { describe, expect, it } from 'vitest';
import { ABSTAIN_MESSAGE } from '../../../src/domain/answer.ts';
import {
  blockChars,
  escapeMrkdwn,
  messageViolations,
  modalViolations,
  packMessages,
  SLACK_LIMITS,
  splitText,
  truncate,
} from '../../../src/slack/limits.ts';
import { answerFallbackText, answerMessages, OVERFLOW_NOTE, REPHRASE_HINT } from '../../../src/slack/views/answer.ts';
import { suggestedPrompts, threadTitle } from '../../../src/slack/views/assistant.ts';
import { feedbackReasonModal, thanksMessage } from '../../../src/slack/views/feedback.ts';
import { ACTION_IDS } from '../../../src/slack/views/ids.ts';
import { errorMessage } from '../../../src/slack/views/message.ts';
import { sampleAnswer, sampleCitation } from './sample-answer.ts';

const allText = (blocks: unknown) => JSON.stringify(blocks);
const actionIds = (blocks: Array<{ type: string }>) =>
  blocks.filter((b) => b.type === 'actions').flatMap((b) => (b as unknown as { elements: Array<{ action_id: string }> }).elements.map((e) => e.action_id));

describe('limits helpers', () => {
  it('truncates at a word boundary and never exceeds the limit', () => {
    const t = truncate('word '.repeat(1000), 100, ' (shortened)');
    expect(t.length).toBeLessThanOrEqual(100);
    expect(t.endsWith(' (shortened)')).toBe(true);
    expect(truncate('short', 100)).toBe('short');
  });

  it('does not split a surrogate pair', () => {
    const t = truncate('😀'.repeat(100), 11);
    expect(t.length).toBeLessThanOrEqual(11);
    expect(t).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('splits long text on paragraph, sentence, then space boundaries, losing nothing', () => {
    const text = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} is here and it says something about arms transfers.`).join(' ');
    const pieces = splitText(text, 500);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(500);
    expect(pieces.join(' ').replace(/\s+/g, ' ')).toBe(text);
    for (const p of pieces.slice(0, -1)) expect(p.endsWith('.')).toBe(true);
    // A run with no spaces at all is cut hard.
    expect(splitText('x'.repeat(7001), 3000).map((p) => p.length)).toEqual([3000, 3000, 1001]);
  });

  it('escapes mrkdwn control characters', () => {
    expect(escapeMrkdwn('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
  });

  it('packs blocks into messages within the block and character limits, the tail last', () => {
    const blocks = Array.from({ length: 120 }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `block ${i}` } }));
    const tail = [{ type: 'actions', elements: [] }];
    const { messages, truncated } = packMessages(blocks, { tail, overflowNote: 'cut', maxMessages: 5 });
    expect(truncated).toBe(false);
    expect(messages.length).toBe(3);
    for (const m of messages) expect(m.length).toBeLessThanOrEqual(SLACK_LIMITS.messageBlocks);
    expect(messages.at(-1)!.at(-1)).toBe(tail[0]);
    expect(messages.flat().length).toBe(121);
  });

  it('truncates with a note past the message cap', () => {
    const blocks = Array.from({ length: 30 }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `${i} ${'y'.repeat(2900)}` } }));
    const { messages, truncated } = packMessages(blocks, { tail: [{ type: 'divider' }], overflowNote: 'was shortened', maxMessages: 2 });
    expect(truncated).toBe(true);
    expect(messages.length).toBe(2);
    for (const m of messages) expect(m.reduce((n, b) => n + blockChars(b), 0)).toBeLessThanOrEqual(SLACK_LIMITS.messageChars);
    expect(allText(messages.at(-1))).toContain('was shortened');
    expect(messages.at(-1)!.at(-1)).toEqual({ type: 'divider' });
  });
});

describe('answer blocks', () => {
  it('renders the answer, each citation with title, date, link and verbatim quote, and the buttons', () => {
    const [message, ...rest] = answerMessages(sampleAnswer(), { answerId: 'a_abcdefgh' });
    expect(rest).toEqual([]);
    const text = allText(message!.blocks);
    expect(text).toContain('three lines of effort');
    expect(text).toContain('*[1] Implementation of the Conventional Arms Transfer (CAT) Policy 1*');
    expect(text).toContain('Jul 16, 2018');
    // A date the catalog supplied is marked as supplied, and a superseded source says so.
    const supplied = JSON.stringify(answerMessages({ ...sampleAnswer(), citations: [{ ...sampleAnswer().citations[0]!, document: { ...sampleAnswer().citations[0]!.document, date: '2023-02', dateSource: 'catalog', status: 'superseded' } }] }, { answerId: 'a_abcdefgh' }));
    expect(supplied).toContain('Feb 2023 (catalog) · superseded');
    expect(text).toContain('<https://www.state.gov/cat-2|Implementation');
    expect(text).toContain('`ingest/corpus/doc-1.txt`');
    expect(text).toContain('>Prioritizing strategic competition');
    expect(actionIds(message!.blocks)).toEqual([ACTION_IDS.helpful, ACTION_IDS.notHelpful]);
    expect(message!.text).toContain('Sources: [1]');
    expect(messageViolations(message!)).toEqual([]);
  });

  it('adds the share button for ephemeral answers and a "shared by" line when shared', () => {
    const [eph] = answerMessages(sampleAnswer(), { answerId: 'a_abcdefgh', shareable: true });
    expect(actionIds(eph!.blocks)).toEqual([ACTION_IDS.helpful, ACTION_IDS.notHelpful, ACTION_IDS.share]);
    const [shared] = answerMessages(sampleAnswer(), { answerId: 'a_abcdefgh', sharedBy: 'U123' });
    expect(allText(shared!.blocks)).toContain('Shared by <@U123>');
    expect(actionIds(shared!.blocks)).not.toContain(ACTION_IDS.share);
  });

  it('says clearly when the documents do not answer, with a hint on rephrasing', () => {
    const [m] = answerMessages(sampleAnswer({ answer: ABSTAIN_MESSAGE, abstained: true, citations: [] }), { answerId: 'a_abcdefgh' });
    const text = allText(m!.blocks);
    expect(text).toContain("The documents don't answer this");
    expect(text).toContain(escapeMrkdwn(REPHRASE_HINT).slice(0, 40));
    expect(m!.text).toContain(REPHRASE_HINT);
    expect(actionIds(m!.blocks)).toContain(ACTION_IDS.helpful);
  });

  it('shows the rewritten question of a follow-up and a note', () => {
    const answer = { ...sampleAnswer({ note: 'The language model was unavailable.' }), standaloneQuestion: 'What are the three lines of effort in the CAT implementation plan?' };
    const text = allText(answerMessages(answer, { answerId: 'a_abcdefgh' })[0]!.blocks);
    expect(text).toContain('Read as: _What are the three lines of effort in the CAT implementation plan?_');
    expect(text).toContain('The language model was unavailable.');
  });

  it('escapes document text so it cannot ping channels or break links', () => {
    const c = sampleCitation(1, { quote: 'Notify <!channel> & <@U999> now', document: { id: 'd', title: 'A | B <x>', date: null, source: 'https://example.gov/a' } });
    const text = allText(answerMessages(sampleAnswer({ citations: [c] }), { answerId: 'a_abcdefgh' })[0]!.blocks);
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;@U999&gt;');
    expect(text).toContain('<https://example.gov/a|A ¦ B &lt;x&gt;>');
    expect(text).toContain('date not stated');
  });

  it('keeps a very long answer within every limit: split across messages, then truncated with a note', () => {
    const long = 'The policy says a great deal about this subject. '.repeat(1200); // ~60k characters
    const citations = Array.from({ length: 40 }, (_, i) => sampleCitation(i + 1, { quote: `Quoted sentence ${i}. `.repeat(400) }));
    const answer = sampleAnswer({ answer: long, citations, mode: 'llm' });
    const messages = answerMessages(answer, { answerId: 'a_abcdefgh', shareable: true });
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.length).toBeLessThanOrEqual(SLACK_LIMITS.messagesPerAnswer);
    for (const m of messages) expect(messageViolations(m)).toEqual([]);
    const last = messages.at(-1)!;
    expect(allText(last.blocks)).toContain(escapeMrkdwn(OVERFLOW_NOTE).slice(0, 30));
    expect(actionIds(last.blocks)).toEqual([ACTION_IDS.helpful, ACTION_IDS.notHelpful, ACTION_IDS.share]);
    for (const m of messages.slice(0, -1)) expect(actionIds(m.blocks)).toEqual([]);
    expect(answerFallbackText(answer).length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  });

  it('shortens a single over-long quote with a note instead of exceeding the section limit', () => {
    const c = sampleCitation(1, { quote: `${'<&> '.repeat(2000)}end` });
    const [m] = answerMessages(sampleAnswer({ citations: [c] }), { answerId: 'a_abcdefgh' });
    expect(messageViolations(m!)).toEqual([]);
    expect(allText(m!.blocks)).toContain('quote shortened to fit Slack');
  });

  it('is pure: the same answer gives the same blocks', () => {
    expect(answerMessages(sampleAnswer(), { answerId: 'a_abcdefgh' })).toEqual(answerMessages(sampleAnswer(), { answerId: 'a_abcdefgh' }));
  });
});

describe('other views', () => {
  it('the feedback modal fits the modal limits', () => {
    for (const helpful of [true, false]) expect(modalViolations(feedbackReasonModal({ answerId: 'a_abcdefgh', helpful }))).toEqual([]);
  });

  it('the error message carries the reference id and no details', () => {
    const m = errorMessage('The policy document store is unavailable right now.', 'deadbeef');
    expect(m.text).toContain('reference deadbeef');
    expect(messageViolations(m)).toEqual([]);
  });

  it('thanks message buttons carry the vote', () => {
    expect(allText(thanksMessage('a_abcdefgh', false).blocks)).toContain('a_abcdefgh:not_helpful');
  });

  it('assistant prompts and titles fit', () => {
    const p = suggestedPrompts();
    expect(p.prompts.length).toBeLessThanOrEqual(SLACK_LIMITS.suggestedPrompts);
    expect(threadTitle('x '.repeat(200)).length).toBeLessThanOrEqual(60);
  });
});
