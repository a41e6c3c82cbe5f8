import { stems } from './lexical.ts';
import { asksForChoice, isDecision, isQuestionSentence, normalizeCue } from './signals.ts';
import { looseStems } from './signals.ts';
import type { AnalyzedMessage, ThreadAnalysis } from './thread-analysis.ts';
import type { PersonRef } from './types.ts';

/**
 * Agreements, disagreements and decisions as groups of messages, from the stances of the thread
 * analysis. A position someone else agreed with (in a reply, with a 👍/✅, or by agreeing with
 * someone who agreed) is an agreement; one someone pushed back on (a reply or a 👎) is a
 * disagreement. A proposal others accepted, and a message that says it settles the matter
 * ("decided", "final:", "we'll go with"), are decisions: with the proposal they settle and the
 * messages accepting them. Every group cites every message it rests on.
 */

export interface StanceGroup {
  /** The position (or proposal, or deciding message). */
  root: number;
  /** All messages the group rests on, in thread order (the root included). */
  messages: number[];
  heldBy: PersonRef[];
  agreedBy: PersonRef[];
  pushedBackBy: PersonRef[];
  /** Decisions: the message that settles it (an explicit marker), when there is one. */
  decidedIn?: number;
}

export interface StanceGroups {
  agreements: StanceGroup[];
  disagreements: StanceGroup[];
  decisions: StanceGroup[];
}

const addPerson = (list: PersonRef[], p: PersonRef) => {
  if (!list.some((x) => x.id === p.id)) list.push(p);
};
const sorted = (xs: Iterable<number>) => [...new Set(xs)].sort((a, b) => a - b);

export function stanceGroups(a: ThreadAnalysis): StanceGroups {
  const msgs = a.messages;
  // An agreement with someone who agreed joins the position they agreed with.
  const rootOf = (i: number, depth = 0): number => {
    const s = msgs[i]!.stance;
    return s && s.stance === 'assent' && depth < 20 ? rootOf(s.target, depth + 1) : i;
  };
  const clusters = new Map<number, { messages: Set<number>; agreedBy: PersonRef[] }>();
  for (const e of a.stances) {
    if (e.stance !== 'assent') continue;
    const root = rootOf(e.to);
    if (msgs[root]!.onlyQuestion) continue;
    let c = clusters.get(root);
    if (!c) clusters.set(root, (c = { messages: new Set([root]), agreedBy: [] }));
    if (e.from !== undefined) c.messages.add(e.from);
    // The members between the assent and the root are part of it too ("Agree with X" agreed with by "Same").
    for (let k = e.to; k !== root; k = msgs[k]!.stance!.target) c.messages.add(k);
    if (e.by.id !== msgs[root]!.author.id) addPerson(c.agreedBy, e.by);
  }

  const agreements: StanceGroup[] = [];
  const decisions: StanceGroup[] = [];
  for (const [root, c] of [...clusters].sort((x, y) => x[0] - y[0])) {
    if (c.agreedBy.length === 0) continue;
    const r = msgs[root]!;
    // A 👍 on "Thanks, got it" acknowledges; it agrees with nothing.
    if (r.wordCount < 3 && !r.proposal && !r.decision) continue;
    const group: StanceGroup = { root, messages: sorted(c.messages), heldBy: [r.author], agreedBy: c.agreedBy, pushedBackBy: [] };
    const settles = r.proposal || r.decision || answersViewQuestion(r, msgs) || group.messages.some((k) => msgs[k]!.decision);
    (settles ? decisions : agreements).push(group);
  }

  // Explicit decisions nobody replied to, and the proposals they settle.
  for (const d of msgs) {
    if (!d.decision) continue;
    const inGroup = decisions.find((g) => g.messages.includes(d.index));
    if (inGroup) {
      inGroup.decidedIn ??= d.index;
      mergeSettled(d, inGroup, decisions, msgs);
      continue;
    }
    const g: StanceGroup = { root: d.index, messages: [d.index], heldBy: [d.author], agreedBy: [], pushedBackBy: [], decidedIn: d.index };
    const agreementIndex = agreements.findIndex((x) => x.messages.includes(d.index));
    if (agreementIndex >= 0) {
      const [x] = agreements.splice(agreementIndex, 1);
      g.messages = x!.messages;
      g.agreedBy = x!.agreedBy;
      g.heldBy = x!.heldBy;
      g.root = x!.root;
    }
    if (!mergeSettled(d, g, decisions, msgs)) decisions.push(g);
  }
  decisions.sort((x, y) => x.root - y.root);

  // Disagreements: each position with the replies (and 👎) pushing back on it.
  const against = new Map<number, { messages: Set<number>; by: PersonRef[] }>();
  for (const e of a.stances) {
    if (e.stance !== 'dissent' || msgs[e.to]!.onlyQuestion) continue;
    let c = against.get(e.to);
    if (!c) against.set(e.to, (c = { messages: new Set([e.to]), by: [] }));
    if (e.from !== undefined) c.messages.add(e.from);
    if (e.by.id !== msgs[e.to]!.author.id) addPerson(c.by, e.by);
  }
  const disagreements = [...against]
    .filter(([, c]) => c.by.length > 0)
    .sort((x, y) => x[0] - y[0])
    .map(([root, c]) => ({ root, messages: sorted(c.messages), heldBy: [msgs[root]!.author], agreedBy: [], pushedBackBy: c.by }) satisfies StanceGroup);
  for (const g of agreements) g.pushedBackBy = disagreements.find((d) => d.root === g.root)?.pushedBackBy ?? [];
  return { agreements, disagreements, decisions };
}

/** An answer to "should we ...?" / "do we X or Y?" is a proposal. */
function answersViewQuestion(r: AnalyzedMessage, msgs: readonly AnalyzedMessage[]): boolean {
  for (let j = r.index - 1; j >= Math.max(0, r.index - 3); j--) {
    const q = msgs[j]!;
    if (q.author.id === r.author.id) continue;
    const last = q.text.trim().split(/(?<=[.!?])\s+/).pop() ?? '';
    return isQuestionSentence(last) && asksForChoice(last) && !r.onlyQuestion;
  }
  return false;
}

/**
 * A deciding message settles the proposal it replies to, or the latest earlier proposal or
 * decision sharing its words: their messages become one decision. True when `g` was merged
 * into an existing decision.
 */
function mergeSettled(d: AnalyzedMessage, g: StanceGroup, decisions: StanceGroup[], msgs: readonly AnalyzedMessage[]): boolean {
  const words = new Set(looseStems(stems(d.text)));
  const shared = (i: number) => [...new Set(looseStems(stems(msgs[i]!.text)))].filter((w) => words.has(w)).length;
  for (let j = d.index - 1; j >= Math.max(0, d.index - 10); j--) {
    if (g.messages.includes(j)) continue;
    const other = decisions.find((x) => x !== g && x.messages.includes(j));
    // The decision just before (within three messages) needs one shared word; an older one two.
    const groupShared = other ? Math.max(...other.messages.map(shared)) : 0;
    if (other && (shared(j) >= 2 || (d.index - j <= 3 && groupShared >= 1))) {
      other.messages = sorted([...other.messages, ...g.messages]);
      for (const p of g.agreedBy) addPerson(other.agreedBy, p);
      other.decidedIn ??= d.index;
      return true;
    }
    const m = msgs[j]!;
    const replied = d.replyTo === j || j === d.index - 1;
    if (m.proposal && !m.onlyQuestion && (shared(j) >= 2 || replied)) {
      g.messages = sorted([...g.messages, j]);
      if (m.author.id !== d.author.id) addPerson(g.heldBy, m.author);
      g.root = Math.min(g.root, j);
      return false;
    }
  }
  return false;
}

/** The sentence of a message that states its position (or decision): not a question, the most words, the cue line for a decision. */
export function keySentence(m: AnalyzedMessage, prefer: 'position' | 'decision' = 'position'): string {
  const sentences = m.text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s && !isQuestionSentence(s));
  if (sentences.length === 0) return m.text.trim();
  if (prefer === 'decision') {
    const d = sentences.find((s) => isDecision(s)) ?? sentences.find((s) => /\b(?:propos|let's|suggest|we could|go with)/i.test(normalizeCue(s)));
    if (d) return d;
  }
  // The first sentence that says something; a leading "Agreed." or "Fair point, Sam." is skipped.
  const first = sentences.find((s) => stems(s).length >= 4);
  if (first) return first;
  let best = sentences[0]!;
  let n = -1;
  for (const s of sentences) {
    const k = stems(s).length;
    if (k > n) [best, n] = [s, k];
  }
  return best;
}
