import { stems } from './lexical.ts';
import { ANSWER_OPENER, asksForView, commitmentIn, OPEN_REQUEST, isDecision, isProposalCheck, isQuestionSentence, NON_ANSWER, normalizeCue, requestIn, SMALL_TALK } from './signals.ts';
import { looseStems } from './signals.ts';
import type { AnalyzedMessage } from './thread-analysis.ts';

/**
 * Questions in a thread and the replies that answer them. A question is open until a later
 * message from someone else answers it: the next reply from another person that reads as an
 * answer (it opens like one, takes up the question's words, or the question was a yes/no or
 * either/or one), a reply addressed to the asker, a later message that shares most of the
 * question's words, or a decision on it. "Good question, I'll check" answers nothing.
 * Requests ("can you draft ...?") are action items and proposal checks ("Objections?") belong to
 * their proposal, so neither is a question here.
 */

export interface QuestionInfo {
  message: number;
  /** The question as written (with the sentence before it when the question alone says little: "Is that right?"). */
  text: string;
  /** The messages answering it, oldest first; empty when it is open. */
  answeredBy: number[];
  open: boolean;
}

/** Openers that answer whatever the question: yes, no, not yet, both. */
const DIRECT_ANSWER = /^(?:yes|yeah|yep|yup|no|nope|not yet|not that i know|both|neither|none|correct|right|exactly|as of|currently)\b/;

const YES_NO = /^(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|shall|may|might)\b/;

/** Whether a reply (the next one from someone else) answers a question. */
export function answersQuestion(question: string, reply: string, weak: boolean, shared: number): boolean {
  const r = normalizeCue(reply);
  if (!r || NON_ANSWER.test(r)) return false;
  const sentences = reply.split(/(?<=[.!?])\s+|\n+/).filter((s) => s.trim());
  if (sentences.length > 0 && sentences.every(isQuestionSentence)) return false;
  const rest = r.replace(SMALL_TALK, '').replace(/^[\s,.!]+/, '');
  if (!rest) return false;
  const q = normalizeCue(question.split(/(?<=[.!?])\s+/).filter(isQuestionSentence).pop() ?? question);
  if (weak || shared >= 1 || DIRECT_ANSWER.test(rest)) return true;
  // "How many ...?" — "14 of 212." A number answers a question asking for one.
  if (/^(?:how (?:many|much|long|often|soon)|when|what (?:percentage|share|number|date|year))\b/.test(q) && /\d/.test(rest)) return true;
  // A short reply right after the question ("Both.", "Separate.") answers a yes/no, either/or or opinion question.
  const words = rest.split(/\s+/).length;
  return words <= 12 && (ANSWER_OPENER.test(rest) || YES_NO.test(q) || /\bor\b/.test(q) || asksForView(q));
}

export function findQuestions(messages: readonly AnalyzedMessage[], stemsOf: readonly string[][], answerOf: ReadonlyMap<number, number>): QuestionInfo[] {
  const out: QuestionInfo[] = [];
  for (const m of messages) {
    const sentences = m.text.split(/(?<=[.!?])\s+|\n+/).map((s) => s.trim()).filter(Boolean);
    sentences.forEach((s, k) => {
      if (!isQuestionSentence(s) || isProposalCheck(s)) return;
      // A request to someone is an action item, not a question.
      if ((requestIn(s) && (m.addressed.length > 0 || /\b(?:can|could|would) you\b/i.test(s))) || OPEN_REQUEST.test(normalizeCue(s))) return;
      const qStems = [...new Set(looseStems(stems(s)))];
      const text = qStems.length < 3 && k > 0 && !isQuestionSentence(sentences[k - 1]!) ? `${sentences[k - 1]} ${s}` : s;
      const answeredBy = answersOf(m, text, messages, stemsOf, answerOf);
      out.push({ message: m.index, text, answeredBy, open: answeredBy.length === 0 });
    });
  }
  return out;
}

function answersOf(q: AnalyzedMessage, text: string, messages: readonly AnalyzedMessage[], stemsOf: readonly string[][], answerOf: ReadonlyMap<number, number>): number[] {
  const qStems = [...new Set(looseStems(stems(text.replace(/^(?:quick\s+)?(?:q|question|qq)\s*:\s*/i, ''))))];
  const answered = new Set<number>();
  for (const [reply, question] of answerOf) if (question === q.index) answered.add(reply);
  const shared = (j: number) => {
    const set = new Set(stemsOf[j]);
    return qStems.filter((w) => set.has(w)).length;
  };
  let next = true;
  for (let j = q.index + 1; j < messages.length; j++) {
    const r = messages[j]!;
    if (r.author.id === q.author.id) continue;
    const t = normalizeCue(r.text);
    // "I can pull that list" promises an answer; it is not one.
    // A promise that takes up the question's words ("I will circulate a draft with target review times") does answer it.
    const promise = commitmentIn(r.text.split(/(?<=[.!?])\s+/)[0] ?? '') !== null && shared(j) < 2;
    const nonAnswer = (NON_ANSWER.test(t) || promise) && !isDecision(r.text);
    // A question from someone else is no reply to this one; the first reply that is not one decides.
    if (next && !r.onlyQuestion) {
      next = false;
      // The first reply from someone else that is not about something else (a stance on another message, a request accepted).
      const elsewhere = (r.stance && r.stance.target !== q.index && !r.onlyQuestion) || r.acceptsRequest !== undefined;
      if (!elsewhere && !nonAnswer && answersQuestion(text, r.text, false, shared(j))) answered.add(j);
      if (answered.size) break;
    }
    if (nonAnswer || r.onlyQuestion) continue;
    if (r.addressed.some((a) => a.id === q.author.id) && r.acceptsRequest === undefined && shared(j) >= 1) answered.add(j);
    // "That I can support" to a proposal asked as a question.
    if (r.stance && r.stance.target === q.index) answered.add(j);
    const n = shared(j);
    if (n >= 3 || (n >= 2 && n / Math.max(1, qStems.length) >= 0.4)) answered.add(j);
    if ((r.decision || r.proposal) && (n >= 1 || asksForView(text)) && r.reactions.assent.length + messages.filter((x) => x.stance?.target === j && x.stance.stance === 'assent').length > 0) answered.add(j);
    if (r.decision && (n >= 1 || asksForView(text))) answered.add(j);
    if (answered.size) break;
  }
  return [...answered].sort((a, b) => a - b);
}
