import { commitmentIn, isQuestionSentence, normalizeCue, requestIn } from './signals.ts';
import type { AnalyzedMessage, ThreadAnalysis } from './thread-analysis.ts';
import type { DueDate, PersonRef } from './types.ts';

/**
 * Action items with real owners, from the thread analysis. The owner is the user a request is
 * addressed to (an <@mention>, or a participant named at the start: "Sam, can you ..."), or the
 * writer of a first-person commitment ("I'll take the NGO letters"), or the person named in
 * "Priya to draft ..." / "Action: Priya ...". Never a pronoun, never someone who neither wrote in
 * the thread nor was mentioned in it. A reply accepting a request ("Will do.") joins its item.
 */

export interface ActionCandidate {
  message: number;
  sentence: string;
  owner?: PersonRef;
  /** The request's message and the accepting reply, in order. */
  messages: number[];
  due?: DueDate;
}

const TASK_VERB =
  /\b(?:draft|send|share|circulate|prepar|pull|check|review|writ|update|confirm|find|set up|schedul|reach out|ping|ask|compil|coordinat|follow up|get|put together|tak|handl|own|lead|brief|run|book|call|email|loop|flag|clear|look into|look at|summari[sz]|track down|dig up|file|submit|post|organi[sz]|let|go through|work on|tackl|start on|pick up|prep|contact|talk to|speak to|arrang|fix|add|edit|revis|finali[sz]|translat|upload|publish|set|sort out|figure out|collect|gather|map|list|count|group|pass|forward|invit)(?:e|es|ed|s|ing|ting|ning)?\b/;

function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.replace(/^[-*•>\s]+/, '').trim())
    .filter(Boolean);
}

/** Who a sentence addresses a request to: a mention or a name before the request, or "X to <verb>". */
function requestOwner(sentence: string, m: AnalyzedMessage, people: readonly PersonRef[]): PersonRef | undefined {
  const t = sentence;
  const byName = (name: string) => people.find((p) => p.name === name || p.name.split(/\s+/)[0] === name || p.id === name);
  // "@Priya Natarajan can you ...", "Sam, can you ...", "Action: Priya to ...".
  for (const p of [...m.addressed]) {
    const first = p.name.split(/\s+/)[0]!;
    const re = new RegExp(`(?:@?${escapeRe(p.name)}|@?${escapeRe(first)}\\b)`);
    const at = re.exec(t);
    if (!at) continue;
    const before = normalizeCue(t.slice(0, at.index));
    const after = normalizeCue(t.slice(at.index + at[0].length));
    if (/\b(?:with|thanks|thank|cc|per|like|from|and|to|for)\s*$/.test(before) && !/^(?:action|owner|assigned)/.test(before.trim())) continue;
    if (/^[,:—–-]?\s*(?:(?:can|could|would|will) you|please|pls|—|-|:)/.test(after) || (/^[,:]?\s*(?:to|will)\s+/.test(after) && TASK_VERB.test(after.slice(0, 40))) || requestIn(t)) return p;
    // A list line or an order that starts with the person: "@Eve group the comments and send me the counts".
    const firstWords = after.replace(/^[\s,:—–-]+/, '').replace(/^(?:please|pls|can you|could you)\s+/, '').split(/\s+/).slice(0, 1).join(' ');
    if (before.trim() === '' && TASK_VERB.test(firstWords)) return p;
  }
  const named = /^(?:action(?: item)?s?:\s*|owner:\s*|ai:\s*)?@?([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+(?:to|will)\s+([a-z]+)/.exec(t);
  if (named && TASK_VERB.test(named[2]!)) {
    const p = byName(named[1]!) ?? byName(named[1]!.split(/\s+/)[0]!);
    if (p) return p;
  }
  return undefined;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function findActions(a: ThreadAnalysis): ActionCandidate[] {
  const people = [...a.participants, ...a.mentionedOnly];
  const out: ActionCandidate[] = [];
  for (const m of a.messages) {
    // A reply accepting a request joins the request's item (its due date too, if it names one).
    let volunteered: number | undefined;
    if (m.acceptsRequest !== undefined) {
      const item = out.find((x) => x.message === m.acceptsRequest && x.owner?.id === m.author.id);
      if (item) {
        item.messages.push(m.index);
        item.due ??= dueIn(m.text, m.date);
        continue;
      }
      // Taking up a request made to anyone: the item rests on both messages.
      volunteered = m.acceptsRequest;
    }
    for (const s of sentencesOf(m.text)) {
      const norm = normalizeCue(s);
      // Stances and decisions are not tasks ("I can live with that").
      if (/^(?:we|we'll|we will|let's)\b/.test(norm) && !requestIn(s)) continue;
      let owner: PersonRef | undefined;
      const commitment = commitmentIn(s);
      const request = requestIn(s) || /^(?:action|owner|ai|todo)\b/i.test(s) || /\b(?:to|will)\s+[a-z]+/.test(norm);
      const startsWithPerson = m.addressed.some((p) => s.startsWith(`@${p.name}`) || s.startsWith(p.name));
      if (request || startsWithPerson) owner = requestOwner(s, m, people);
      if (!owner && commitment && (TASK_VERB.test(commitment) || /^(?:on it|will do|i'm on it)/.test(commitment)) && !/^(?:i can|i'll) (?:live|see|be)\b/.test(norm)) owner = m.author;
      if (!owner && requestIn(s) && /\b(?:can|could|would) you\b/.test(norm) && m.addressed.length === 0) {
        // "Can you check ...?" in reply to someone: the person it replies to.
        const to = m.replyTo !== undefined ? a.messages[m.replyTo] : undefined;
        if (to && to.author.id !== m.author.id && !isQuestionSentence(to.text)) owner = to.author;
      }
      if (!owner) continue;
      if (!TASK_VERB.test(norm) && !commitment) continue;
      const existing = out.find((x) => x.message === m.index && x.owner?.id === owner!.id);
      if (existing) continue;
      const messages = volunteered !== undefined && owner.id === m.author.id ? [volunteered, m.index] : [m.index];
      out.push({ message: m.index, sentence: s, owner, messages, ...(dueIn(s, m.date) ? { due: dueIn(s, m.date)! } : {}) });
    }
  }
  for (const x of out) x.messages = [...new Set(x.messages)].sort((p, q) => p - q);
  return out;
}

// ---------------------------------------------------------------------------------------
// Due dates

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const iso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (d: Date, n: number) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + n));

function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = new Date(Date.UTC(t.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((t.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * The due date a sentence states, as written ("by Friday", "tomorrow", "by 3/14", "next week"),
 * resolved against the message's date (UTC) where that makes the day (or only the week) clear.
 */
export function dueIn(sentence: string, date: Date | undefined): DueDate | undefined {
  const t = sentence;
  const day = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)';
  const patterns: Array<{ re: RegExp; resolve: (m: RegExpExecArray, d: Date) => Partial<DueDate> }> = [
    { re: /\b(?:by |before |until )?(?:end of (?:the )?day|eod|cob|close of business|today|tonight)\b/i, resolve: (_, d) => ({ date: iso(d) }) },
    { re: /\b(?:by |before )?tomorrow(?: morning| afternoon| evening| eod)?\b/i, resolve: (_, d) => ({ date: iso(addDays(d, 1)) }) },
    { re: /\b(?:by |before |until )?(?:the )?(?:end of (?:the |this )?week|eow|this week)\b/i, resolve: (_, d) => ({ date: iso(addDays(d, (5 - d.getUTCDay() + 7) % 7)) }) },
    { re: /\b(?:by |before |during |sometime )?next week\b/i, resolve: (_, d) => ({ week: isoWeek(addDays(d, 7)) }) },
    {
      re: new RegExp(`\\b(?:(?:by|before|on|until|this|next)\\s+)*(${day})\\b`, 'i'),
      resolve: (m, d) => {
        const target = WEEKDAYS.indexOf(m[1]!.toLowerCase());
        const ahead = (target - d.getUTCDay() + 7) % 7;
        return { date: iso(addDays(d, ahead === 0 && /\bnext\s/i.test(m[0]) ? 7 : ahead)) };
      },
    },
    {
      re: /\b(?:by |before |on |until )?(\d{1,2})\/(\d{1,2})(?:\/(\d{2,4}))?\b/,
      resolve: (m, d) => {
        const month = Number(m[1]) - 1;
        const dom = Number(m[2]);
        if (month > 11 || dom < 1 || dom > 31) return {};
        let year = m[3] ? Number(m[3].length === 2 ? `20${m[3]}` : m[3]) : d.getUTCFullYear();
        if (!m[3] && Date.UTC(year, month, dom) < Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - 60 * 86_400_000) year++;
        return { date: iso(new Date(Date.UTC(year, month, dom))) };
      },
    },
    {
      re: /\b(?:by |before |on |until )?(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.? (\d{1,2})(?:st|nd|rd|th)?\b/i,
      resolve: (m, d) => {
        const month = MONTHS.indexOf(m[1]!.slice(0, 3).toLowerCase());
        const dom = Number(m[2]);
        let year = d.getUTCFullYear();
        if (Date.UTC(year, month, dom) < Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - 60 * 86_400_000) year++;
        return { date: iso(new Date(Date.UTC(year, month, dom))) };
      },
    },
    {
      re: /\b(?:by|before|on|until) the (\d{1,2})(?:st|nd|rd|th)\b/i,
      resolve: (m, d) => {
        const dom = Number(m[1]);
        const month = dom >= d.getUTCDate() ? d.getUTCMonth() : d.getUTCMonth() + 1;
        return { date: iso(new Date(Date.UTC(d.getUTCFullYear(), month, dom))) };
      },
    },
  ];
  for (const p of patterns) {
    const m = p.re.exec(t);
    if (!m) continue;
    const text = m[0].trim();
    return { text, ...(date ? p.resolve(m, date) : {}) };
  }
  return undefined;
}
