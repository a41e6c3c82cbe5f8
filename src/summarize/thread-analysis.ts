import { stems } from './lexical.ts';
import { findQuestions, type QuestionInfo } from './questions.ts';
import { ACCEPT_REQUEST, OPEN_REQUEST, asksForView, assentObject, commitmentIn, isDecision, isProposal, isProposalCheck, isQuestionSentence, normalizeCue, requestIn, stanceOf, type StanceCue } from './signals.ts';
import { looseStems } from './signals.ts';
import type { ThreadMessage } from './thread.ts';
import type { PersonRef } from './types.ts';

/**
 * One analysis of a thread, made before any summarising and shared by the extractive path, the
 * LLM path (it is shown to the model and checks its reply), Slack, the terminal and --json:
 * who replies to whom, who mentions whom, reactions and who gave them, edits and deletions,
 * stances (assent or dissent, and on which message), proposals and decisions, and questions
 * with the replies that answer them.
 *
 * Slack threads are flat, so "replies to" is read from the message: the person it mentions or
 * names, the question it answers, the request it accepts, the position its stance is about,
 * and otherwise the nearest earlier message by someone else.
 */

/** Reaction names that signal assent or dissent (skin tones stripped). */
const ASSENT_REACTIONS = new Set(['+1', 'thumbsup', 'white_check_mark', 'heavy_check_mark', 'ballot_box_with_check', '100', 'raised_hands', 'clap']);
const DISSENT_REACTIONS = new Set(['-1', 'thumbsdown']);

export interface AnalyzedMessage {
  /** Position among the people's messages (bots and deleted messages are not here). */
  index: number;
  /** The id the model sees: "M3". */
  key: string;
  ts: string;
  author: PersonRef;
  /** The current text (an edited message as edited). */
  text: string;
  /** From the ts; absent when the ts is not a Slack timestamp. */
  date?: Date;
  edited: boolean;
  mentions: PersonRef[];
  /** Participants or mentioned users the message addresses: by <@mention> or by name. */
  addressed: PersonRef[];
  /** The message this one replies to, as read from it. */
  replyTo?: number;
  stance?: { stance: StanceCue['stance']; target: number; weak: boolean };
  /** Reactions from others that signal assent or dissent. */
  reactions: { assent: PersonRef[]; dissent: PersonRef[] };
  /** A request to the writer that this message accepts ("Will do."). */
  acceptsRequest?: number;
  proposal: boolean;
  decision: boolean;
  /** Content words of its statements besides the cue: "Agreed." has none, so it echoes what it agrees with. */
  contentStems: string[];
  /** Content words of the whole message, questions included. */
  wordCount: number;
  /** Every sentence is a question. */
  onlyQuestion: boolean;
  files: string[];
}

export interface StanceEdge {
  /** The message carrying the stance; absent for a reaction. */
  from?: number;
  by: PersonRef;
  to: number;
  stance: 'assent' | 'dissent';
  via: 'message' | 'reaction';
}

export interface ThreadAnalysis {
  messages: AnalyzedMessage[];
  participants: PersonRef[];
  /** Users mentioned who did not write in the thread. */
  mentionedOnly: PersonRef[];
  replies: Array<{ from: number; to: number }>;
  mentionEdges: Array<{ from: PersonRef; to: PersonRef; message: number }>;
  stances: StanceEdge[];
  questions: QuestionInfo[];
  edited: number[];
  /** ts of deleted messages: counted, never quoted. */
  deleted: string[];
}

const CUE_WORDS = new Set(
  'agre agree agreed concur disagre disagree same here fair point good great make makes sens sense sound sounds fine work works okay yes yeah yep right exactly total totally absolut convinc convinced sure think thought also though realli really honest honestly point still even much'.split(
    ' ',
  ),
);

export function personOf(m: Pick<ThreadMessage, 'userId' | 'userName'>): PersonRef {
  return { id: m.userId ?? m.userName, name: m.userName };
}

function dateOf(ts: string): Date | undefined {
  const s = Number(ts.split('.')[0]);
  return Number.isFinite(s) && s > 100_000_000 ? new Date(s * 1000) : undefined;
}

export function reactionKind(name: string): 'assent' | 'dissent' | null {
  const base = name.replace(/::skin-tone-\d$/, '');
  return ASSENT_REACTIONS.has(base) ? 'assent' : DISSENT_REACTIONS.has(base) ? 'dissent' : null;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Finds people named in a text: "@Full Name" (converted mentions), the full name, or a first name no one else shares. */
export class NameIndex {
  private readonly entries: Array<{ re: RegExp; person: PersonRef }> = [];

  constructor(people: readonly PersonRef[]) {
    const firstCounts = new Map<string, number>();
    for (const p of people) {
      const first = p.name.split(/\s+/)[0]!;
      firstCounts.set(first, (firstCounts.get(first) ?? 0) + 1);
    }
    for (const p of people) {
      if (!/[A-Za-z]/.test(p.name) || /^[UW][A-Z0-9]{4,}$/.test(p.name)) continue;
      this.entries.push({ re: new RegExp(`(?:^|[^\\w@])@?${escapeRe(p.name)}\\b`), person: p });
      const first = p.name.split(/\s+/)[0]!;
      if (first !== p.name && first.length >= 3 && firstCounts.get(first) === 1) this.entries.push({ re: new RegExp(`(?:^|[^\\w@])@?${escapeRe(first)}\\b`), person: p });
    }
  }

  /** People named in the text, in the order they appear. */
  find(text: string): PersonRef[] {
    const hits: Array<{ at: number; person: PersonRef }> = [];
    for (const e of this.entries) {
      const m = e.re.exec(text);
      if (m && !hits.some((h) => h.person.id === e.person.id)) hits.push({ at: m.index, person: e.person });
    }
    return hits.sort((a, b) => a.at - b.at).map((h) => h.person);
  }
}

function overlap(a: readonly string[], b: readonly string[]): number {
  const set = new Set(b);
  return [...new Set(a)].filter((w) => set.has(w)).length;
}

export function analyzeThread(kept: readonly ThreadMessage[]): ThreadAnalysis {
  const participants: PersonRef[] = [];
  const seen = new Set<string>();
  for (const m of kept) {
    const p = personOf(m);
    if (!seen.has(p.id)) {
      seen.add(p.id);
      participants.push(p);
    }
  }
  const mentionedOnly: PersonRef[] = [];
  for (const m of kept) for (const x of m.mentions ?? []) if (!seen.has(x.id)) (seen.add(x.id), mentionedOnly.push(x));
  const names = new NameIndex([...participants, ...mentionedOnly]);
  const nameWords = new Set([...participants, ...mentionedOnly].flatMap((p) => p.name.toLowerCase().split(/[^a-z0-9]+/)).filter((w) => w.length > 1));

  const messages: AnalyzedMessage[] = kept.map((m, index) => {
    const author = personOf(m);
    const mentions = (m.mentions ?? []).map((x) => ({ id: x.id, name: x.name }));
    const addressed = [...mentions];
    for (const p of names.find(m.text)) if (!addressed.some((a) => a.id === p.id)) addressed.push(p);
    const sentences = m.text.split(/(?<=[.!?])\s+|\n+/).filter((s) => s.trim());
    const date = dateOf(m.ts);
    return {
      index,
      key: `M${index + 1}`,
      ts: m.ts,
      author,
      text: m.text,
      ...(date ? { date } : {}),
      edited: m.edited,
      mentions,
      addressed: addressed.filter((a) => a.id !== author.id),
      reactions: { assent: [], dissent: [] },
      proposal: isProposal(m.text),
      decision: isDecision(m.text),
      contentStems: stems(sentences.filter((s) => !isQuestionSentence(s)).join(' '), nameWords).filter((w) => !CUE_WORDS.has(w)),
      wordCount: stems(m.text, nameWords).length,
      onlyQuestion: sentences.length > 0 && sentences.every(isQuestionSentence),
      files: m.files.map((f) => f.title ?? f.name),
    };
  });
  const stemsOf = messages.map((m) => looseStems(stems(m.text, nameWords)));

  // Requests accepted by the person asked: "<@U2> can you ...?" — "Will do."
  const requestTo = (j: number, who: PersonRef) => {
    const m = messages[j]!;
    if (!m.addressed.some((a) => a.id === who.id)) return false;
    return m.text.split(/(?<=[.!?])\s+|\n+/).some((s) => requestIn(s) || /\bto\s+[a-z]+\b/.test(normalizeCue(s)));
  };
  for (const m of messages) {
    const t = normalizeCue(m.text);
    if (!ACCEPT_REQUEST.test(t) && !commitmentIn(m.text)) continue;
    for (let j = m.index - 1; j >= Math.max(0, m.index - 4); j--) {
      if (messages[j]!.author.id === m.author.id) continue;
      // "Can someone draft it?" — "I can take a first pass."
      const open = commitmentIn(m.text) !== null && messages[j]!.text.split(/(?<=[.!?])\s+|\n+/).some((s) => OPEN_REQUEST.test(normalizeCue(s)));
      if (requestTo(j, m.author) || open) {
        m.acceptsRequest = j;
        break;
      }
    }
  }

  // Stances, each on the message it is about.
  const stances: StanceEdge[] = [];
  const answerOf = new Map<number, number>();
  const isPure = (m: AnalyzedMessage) => m.stance !== undefined && m.contentStems.length < 3;
  for (const m of messages) {
    if (m.acceptsRequest !== undefined) continue;
    const cue = stanceOf(m.text);
    if (!cue) continue;
    const target = resolveTarget(m, cue, messages, stemsOf);
    if (target === null) continue;
    if ('answer' in target) {
      answerOf.set(m.index, target.answer);
      continue;
    }
    let to = target.to;
    let stance = cue.stance;
    const t = messages[to]!;
    // "+1" to "Agreed." agrees with what "Agreed." agreed with.
    if (isPure(t) && t.stance) {
      stance = stance === 'assent' ? t.stance.stance : t.stance.stance === 'assent' ? 'dissent' : 'assent';
      to = t.stance.target;
    }
    if (messages[to]!.author.id === m.author.id) continue;
    m.stance = { stance, target: to, weak: cue.weak };
    stances.push({ from: m.index, by: m.author, to, stance, via: 'message' });
  }

  // Reactions from others.
  kept.forEach((raw, j) => {
    const m = messages[j]!;
    for (const r of raw.reactions ?? []) {
      const kind = reactionKind(r.name);
      if (!kind) continue;
      for (const u of r.users) {
        if (u === m.author.id) continue;
        const by = participants.find((p) => p.id === u) ?? mentionedOnly.find((p) => p.id === u) ?? { id: u, name: u };
        let to = j;
        let stance = kind;
        if (isPure(m) && m.stance) {
          stance = kind === 'assent' ? m.stance.stance : m.stance.stance === 'assent' ? 'dissent' : 'assent';
          to = m.stance.target;
        }
        if (messages[to]!.author.id === u) continue;
        const list = kind === 'assent' ? m.reactions.assent : m.reactions.dissent;
        if (!list.some((x) => x.id === by.id)) list.push(by);
        if (!stances.some((s) => s.via === 'reaction' && s.by.id === by.id && s.to === to && s.stance === stance)) stances.push({ by, to, stance, via: 'reaction' });
      }
    }
  });

  const questions = findQuestions(messages, stemsOf, answerOf);

  // "Makes sense, thanks" to the answer of one's own question (or a bare "Right." to an answer) acknowledges it; it is no agreement.
  const answered = new Map<number, QuestionInfo>();
  for (const q of questions) for (const i of q.answeredBy) if (!asksForView(q.text)) answered.set(i, q);
  for (let k = stances.length - 1; k >= 0; k--) {
    const e = stances[k]!;
    const q = answered.get(e.to);
    if (!q || e.stance !== 'assent') continue;
    const weak = e.from !== undefined && messages[e.from]!.stance?.weak === true;
    if (messages[q.message]!.author.id === e.by.id || weak) {
      stances.splice(k, 1);
      if (e.from !== undefined) delete messages[e.from]!.stance;
    }
  }

  // Who replies to whom.
  const replies: Array<{ from: number; to: number }> = [];
  for (const m of messages) {
    let to: number | undefined = m.stance?.target ?? m.acceptsRequest ?? answerOf.get(m.index) ?? questions.find((q) => q.answeredBy.includes(m.index))?.message;
    if (to === undefined && m.addressed.length) {
      for (let j = m.index - 1; j >= 0 && to === undefined; j--) if (messages[j]!.author.id === m.addressed[0]!.id) to = j;
    }
    if (to === undefined) for (let j = m.index - 1; j >= 0 && to === undefined; j--) if (messages[j]!.author.id !== m.author.id) to = j;
    if (to !== undefined) {
      m.replyTo = to;
      replies.push({ from: m.index, to });
    }
  }
  return {
    messages,
    participants,
    mentionedOnly,
    replies,
    mentionEdges: messages.flatMap((m) => m.mentions.map((to) => ({ from: m.author, to, message: m.index }))),
    stances,
    questions,
    edited: messages.filter((m) => m.edited).map((m) => m.index),
    deleted: [],
  };
}

/**
 * The message a stance is about: the person it names (their latest message), the words it
 * agrees on ("agreed on X"), or the nearest earlier message by someone else. A question in
 * between is skipped unless the stance answers it (it asks for a view, the reply is a bare
 * "yes"/"not quite", or the reply takes up its words).
 */
function resolveTarget(m: AnalyzedMessage, cue: StanceCue, messages: readonly AnalyzedMessage[], stemsOf: readonly string[][]): { to: number } | { answer: number } | null {
  const i = m.index;
  // Only people named where the stance is ("Agree with Juan", not the mention in "<@Eve> send the counts").
  const stanceSentences = m.text.split(/(?<=[.!?])\s+|\n+/).filter((s) => stanceOf(s) !== null);
  const named = (p: PersonRef) => stanceSentences.some((s) => s.includes(p.name) || new RegExp(`\\b${escapeRe(p.name.split(/\s+/)[0]!)}\\b`).test(s));
  for (const p of m.addressed.filter(named)) {
    for (let j = i - 1; j >= 0; j--) {
      const c = messages[j]!;
      if (c.author.id !== p.id) continue;
      if (c.onlyQuestion && cue.weak) return { answer: j };
      return { to: j };
    }
  }
  const object = assentObject(m.text);
  if (object) {
    const words = looseStems(stems(object));
    let best = -1;
    let bestScore = 0;
    for (let j = i - 1; j >= 0; j--) {
      if (messages[j]!.author.id === m.author.id || messages[j]!.onlyQuestion) continue;
      const score = overlap(words, stemsOf[j]!);
      if (score > bestScore) [best, bestScore] = [j, score];
    }
    if (best >= 0) return { to: best };
  }
  for (let j = i - 1; j >= 0; j--) {
    const c = messages[j]!;
    if (c.author.id === m.author.id) continue;
    const lastQuestion = c.text.trim().split(/(?<=[.!?])\s+|\n+/).filter(Boolean).pop() ?? '';
    if (c.onlyQuestion || (isQuestionSentence(lastQuestion) && !isProposalCheck(lastQuestion))) {
      if (cue.weak || asksForView(lastQuestion) || overlap(stemsOf[i]!, looseStems(stems(lastQuestion))) >= 2) return { answer: j };
      if (c.onlyQuestion) continue;
    }
    return { to: j };
  }
  return null;
}
