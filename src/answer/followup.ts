import { STOPWORDS } from '../search/tokens.ts';
import type { ConversationTurn } from '../domain/answer.ts';

/**
 * The deterministic follow-up rule for extractive mode (and for LLM mode when the rewrite
 * call fails): a follow-up that cannot stand on its own borrows the content words of the
 * previous user question, so "And what about firearms?" after a question on the 2023
 * revision searches for "2023 revised CAT policy ... firearms". It is a search query, not a
 * sentence; the LLM rewrite does better when a model is configured.
 */

/** Openers that lean on the previous question. */
const ELLIPTICAL_OPENER = /^\s*(?:and|but|also|or|so|then|what about|how about|what of|same for|and for)\b/i;
/** Words that point back at something named earlier ("that plan", "his office", "it"). */
const ANAPHOR = /\b(?:he|she|it|its|his|her|hers|they|them|their|theirs|that|this|these|those|former|latter)\b/i;
/** Fewer content words than this and a follow-up is treated as elliptical. */
export const MIN_CONTENT_WORDS = 4;

/** Words that carry topic, as written (case kept), without stopwords or duplicates. */
export function contentWords(text: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.match(/[\p{L}\p{N}][\p{L}\p{N}'’./-]*[\p{L}\p{N}]|[\p{L}\p{N}]/gu) ?? []) {
    const word = raw.replace(/['’]s$/i, '');
    const key = word.toLowerCase();
    if (STOPWORDS.has(key) || /n['’]t$/.test(key) || ANAPHOR.test(key) || (word.length < 2 && !/\d/.test(word)) || seen.has(key)) continue;
    seen.add(key);
    out.push(word);
  }
  return out;
}

export function isElliptical(question: string): boolean {
  return ELLIPTICAL_OPENER.test(question) || ANAPHOR.test(question) || contentWords(question).length < MIN_CONTENT_WORDS;
}

/**
 * The question to search for. When the follow-up is elliptical, the previous user question's
 * content words (itself expanded first, if it was a follow-up too) are put in front of it.
 */
export function expandFollowUp(question: string, history: readonly ConversationTurn[]): string {
  if (!isElliptical(question)) return question;
  let i = history.length - 1;
  while (i >= 0 && history[i]!.role !== 'user') i--;
  if (i < 0) return question;
  const previous = expandFollowUp(history[i]!.text, history.slice(0, i));
  const own = new Set(contentWords(question).map((w) => w.toLowerCase()));
  const borrowed = contentWords(previous).filter((w) => !own.has(w.toLowerCase()));
  return borrowed.length ? `${borrowed.join(' ')} ${question.trim()}` : question;
}
