import type { types } from '@slack/bolt';
import { describeDate } from '../../domain/document.ts';
import { citationPlace, type Answer, type Citation } from '../../domain/answer.ts';
import { escapeMrkdwn, packMessages, SLACK_LIMITS, splitText, truncate } from '../limits.ts';
import { comparisonBlocks, comparisonLead } from './comparison.ts';
import { ACTION_IDS } from './ids.ts';
import { context, section, type SlackMessage } from './message.ts';

export interface AnswerViewOptions {
  /** The stored answer's id; buttons carry it so a click can find the answer again. */
  answerId: string;
  /** Ephemeral answers (/ask, the message shortcut) get a button to share them in the channel. */
  shareable?: boolean;
  /** Set on an answer someone shared from an ephemeral reply. */
  sharedBy?: string;
}

export const REPHRASE_HINT =
  'Try naming the policy, office or topic you mean (for example "the 2023 CAT policy" or "ISN/CATR"), or ask about one narrower point.';

export const OVERFLOW_NOTE =
  ':scissors: This answer was too long for Slack and was shortened here. Ask about a narrower point to see the rest.';

/** LLM answers may use Markdown bold; Slack's mrkdwn uses single asterisks. */
function toMrkdwn(text: string): string {
  return escapeMrkdwn(text).replace(/\*\*(.+?)\*\*/g, '*$1*');
}

function isWebUrl(s: string): boolean {
  return /^https?:\/\/[^\s<>|]+$/.test(s);
}

function standaloneQuestionOf(answer: Answer): string | undefined {
  return 'standaloneQuestion' in answer && typeof answer.standaloneQuestion === 'string' ? answer.standaloneQuestion : undefined;
}

function citationHeading(c: Citation): string {
  const title = escapeMrkdwn(truncate(c.document.title, 300)).replace(/\|/g, '¦');
  const linked = isWebUrl(c.document.source) ? `<${c.document.source}|${title}>` : title;
  const place = citationPlace(c);
  const meta = [
    describeDate(c.document.date, c.document.dateSource) + (c.document.status && c.document.status !== 'current' ? ` · ${c.document.status}` : ''),
    place ? escapeMrkdwn(truncate(place, 300)) : null,
    isWebUrl(c.document.source) ? null : `\`${escapeMrkdwn(truncate(c.document.source, 200))}\``,
  ]
    .filter(Boolean)
    .join(' · ');
  return `*[${c.n}] ${linked}*\n${meta}`;
}

/** A citation as one section: heading, then the verbatim quote as a block quote (shortened with a note only if over the limit). */
export function citationBlock(c: Citation): types.SectionBlock {
  const heading = citationHeading(c);
  const quoteLines = (q: string) =>
    q
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => `>${escapeMrkdwn(l)}`)
      .join('\n');
  let body = quoteLines(c.quote);
  const room = SLACK_LIMITS.sectionText - heading.length - 1;
  if (body.length > room) {
    const note = '\n_(quote shortened to fit Slack; the full passage is in the document)_';
    // Escaping can lengthen the text, so shorten the raw quote until the rendered one fits.
    let raw = c.quote;
    do {
      raw = truncate(raw, Math.floor(raw.length * 0.9));
      body = quoteLines(raw) + note;
    } while (body.length > room && raw.length > 1);
  }
  return { type: 'section', text: { type: 'mrkdwn', text: `${heading}\n${body}` } };
}

function modeLine(answer: Answer): string {
  return answer.mode === 'llm'
    ? 'Written by a language model from the passages above; every quote was checked word for word against the documents.'
    : 'Extractive answer: sentences quoted from the documents, nothing paraphrased.';
}

/** Plain text for notifications and screen readers: the answer and the numbered sources. */
export function answerFallbackText(answer: Answer): string {
  const sources = answer.citations.map((c) => `[${c.n}] ${c.document.title}${c.document.date ? ` (${describeDate(c.document.date, c.document.dateSource)})` : ''}`);
  const hint = answer.abstained ? `\n${REPHRASE_HINT}` : '';
  const full = `${answer.answer}${hint}${sources.length ? `\nSources: ${sources.join('; ')}` : ''}`;
  return truncate(full, SLACK_LIMITS.fallbackText);
}

function actionsBlock(options: AnswerViewOptions): types.ActionsBlock {
  const elements: types.Button[] = [
    { type: 'button', action_id: ACTION_IDS.helpful, text: { type: 'plain_text', text: ':thumbsup: Helpful', emoji: true }, value: options.answerId },
    { type: 'button', action_id: ACTION_IDS.notHelpful, text: { type: 'plain_text', text: ':thumbsdown: Not helpful', emoji: true }, value: options.answerId },
  ];
  if (options.shareable) {
    elements.push({ type: 'button', action_id: ACTION_IDS.share, style: 'primary', text: { type: 'plain_text', text: 'Share in channel' }, value: options.answerId });
  }
  return { type: 'actions', block_id: 'answer_actions', elements };
}

/**
 * The answer as one or more Slack messages: answer text, the citations with verbatim quotes, a
 * line on how it was made, and the feedback (and share) buttons at the end of the last message.
 * Pure: the same answer always gives the same blocks, all within Slack's limits.
 */
export function answerMessages(answer: Answer, options: AnswerViewOptions): SlackMessage[] {
  const body: types.KnownBlock[] = [];
  if (options.sharedBy) body.push(context(`Shared by <@${options.sharedBy}>. Question: ${escapeMrkdwn(truncate(answer.question, 500))}`));
  const standalone = standaloneQuestionOf(answer);
  if (standalone && standalone.trim() !== answer.question.trim()) {
    body.push(context(`Read as: _${escapeMrkdwn(truncate(standalone, 500))}_`));
  }
  const sides = answer.abstained ? [] : (answer.comparison ?? []);
  if (sides.length > 0) {
    // A comparison: the documents side by side with their own quotes, not the answer's prose, which repeats them.
    body.push(section(comparisonLead(answer)), ...comparisonBlocks(sides));
  } else {
    const answerText = answer.abstained ? `:grey_question: ${answer.answer}` : answer.answer;
    for (const piece of splitText(toMrkdwn(answerText), SLACK_LIMITS.sectionText)) body.push(section(piece));
  }
  if (answer.note) body.push(context(`:information_source: ${escapeMrkdwn(answer.note)}`));
  if (answer.abstained) body.push(context(escapeMrkdwn(REPHRASE_HINT)));
  if (sides.length > 0 && answer.citations.length > 0) {
    // The quotes are in the columns above; the sources list says where each one is.
    body.push({ type: 'divider' });
    body.push(section(`*Sources* (${answer.citations.length})`));
    for (const piece of splitText(answer.citations.map(citationHeading).join('\n'), SLACK_LIMITS.sectionText)) body.push(section(piece));
  } else if (answer.citations.length > 0) {
    body.push({ type: 'divider' });
    body.push(section(`*Sources* (${answer.citations.length})`));
    for (const c of answer.citations) body.push(citationBlock(c));
  }
  const tail: types.KnownBlock[] = [context(modeLine(answer)), actionsBlock(options)];
  const { messages } = packMessages(body, { tail, overflowNote: OVERFLOW_NOTE });
  const fallback = answerFallbackText(answer);
  return messages.map((blocks, i) => ({
    text: i === 0 ? fallback : `Policy Desk answer, part ${i + 1} of ${messages.length}`,
    blocks: blocks as types.KnownBlock[],
  }));
}
