import { findActions } from './actions.ts';
import { keySentence, stanceGroups, type StanceGroup } from './agreements.ts';
import { groundPoint, type RawPoint } from './ground.ts';
import type { Prepared } from './thread-prepare.ts';
import type { PersonRef, SummaryPoint } from './types.ts';

/**
 * The sections a reviewer acts on, as summary points, from the thread analysis: agreements,
 * disagreements and decisions (groups citing every message they rest on), action items with
 * their owners and due dates, and questions open or answered. Each point's text is a sentence
 * quoted from the thread, and every quote is verified against its message like any other.
 */

export interface ActionSections {
  agreements: SummaryPoint[];
  disagreements: SummaryPoint[];
  decisions: SummaryPoint[];
  openQuestions: SummaryPoint[];
  answeredQuestions: SummaryPoint[];
  actionItems: SummaryPoint[];
}

/** At most this many quotes under a group: the position and the first replies. */
const GROUP_QUOTES = 3;

function firstSentence(text: string): string {
  return (text.split(/(?<=[.!?])\s+|\n+/).find((s) => s.trim()) ?? text).trim();
}

function point(p: Prepared, text: string, messages: readonly number[], quotes: Array<{ message: number; text: string }>, extra: Partial<SummaryPoint> = {}): SummaryPoint | null {
  const raw: RawPoint = {
    text,
    sources: messages.map((i) => p.docs[i]!.key),
    quotes: quotes.map((q) => ({ source: p.docs[q.message]!.key, quote: q.text })),
  };
  const g = groundPoint(raw, p.index, [], { maxQuotes: GROUP_QUOTES });
  return g ? { ...g, ...extra } : null;
}

function groupPoint(p: Prepared, g: StanceGroup, kind: 'agreement' | 'disagreement' | 'decision'): SummaryPoint | null {
  const msgs = p.analysis.messages;
  const lead = kind === 'decision' ? msgs[g.decidedIn ?? g.root]! : msgs[g.root]!;
  const text = keySentence(lead, kind === 'decision' ? 'decision' : 'position');
  const quotes = [{ message: lead.index, text }];
  for (const i of g.messages) if (i !== lead.index && quotes.length < GROUP_QUOTES) quotes.push({ message: i, text: kind === 'decision' ? keySentence(msgs[i]!, 'decision') : firstSentence(msgs[i]!.text) });
  const people = (xs: PersonRef[]) => (xs.length ? xs.map((x) => ({ ...x })) : undefined);
  const extra: Partial<SummaryPoint> = {
    heldBy: g.heldBy.map((x) => ({ ...x })),
    ...(people(g.agreedBy) ? { agreedBy: people(g.agreedBy)! } : {}),
    ...(people(g.pushedBackBy) ? { pushedBackBy: people(g.pushedBackBy)! } : {}),
  };
  return point(p, text, g.messages, quotes, extra);
}

export function analysisSections(p: Prepared): ActionSections {
  const a = p.analysis;
  const groups = stanceGroups(a);
  const some = <T>(xs: Array<T | null>) => xs.filter((x): x is T => x !== null);
  const out: ActionSections = {
    agreements: some(groups.agreements.map((g) => groupPoint(p, g, 'agreement'))),
    disagreements: some(groups.disagreements.map((g) => groupPoint(p, g, 'disagreement'))),
    decisions: some(groups.decisions.map((g) => groupPoint(p, g, 'decision'))),
    openQuestions: [],
    answeredQuestions: [],
    actionItems: [],
  };
  // A decision answers the questions it settles, whatever the replies said.
  const decided = new Set(groups.decisions.flatMap((g) => g.messages));
  for (const q of a.questions) {
    const asker = a.messages[q.message]!.author;
    const byDecision = !q.open ? [] : [...decided].filter((i) => i > q.message && a.messages[i]!.author.id !== asker.id && sharesWords(a.messages[i]!.text, q.text)).slice(0, 1);
    const answeredBy = [...q.answeredBy, ...byDecision];
    if (answeredBy.length === 0) {
      const x = point(p, q.text, [q.message], [{ message: q.message, text: q.text }], { askedBy: { ...asker } });
      if (x) out.openQuestions.push(x);
    } else {
      const who: PersonRef[] = [];
      for (const i of answeredBy) if (!who.some((w) => w.id === a.messages[i]!.author.id)) who.push({ ...a.messages[i]!.author });
      const x = point(p, q.text, [q.message, ...answeredBy], [{ message: q.message, text: q.text }], { askedBy: { ...asker }, answeredBy: who });
      if (x) out.answeredQuestions.push(x);
    }
  }
  for (const c of findActions(a)) {
    const x = point(p, c.sentence, c.messages, [{ message: c.message, text: c.sentence }], {
      ...(c.owner ? { owner: c.owner.id, ownerName: c.owner.name } : {}),
      ...(c.due ? { due: c.due } : {}),
    });
    if (x) out.actionItems.push(x);
  }
  return out;
}

function sharesWords(a: string, b: string): boolean {
  const words = (t: string) => new Set(t.toLowerCase().match(/[a-z]{4,}/g) ?? []);
  const x = words(a);
  return [...words(b)].some((w) => x.has(w) && !['that', 'this', 'with', 'have', 'what', 'should', 'would', 'could', 'them', 'they', 'their', 'just'].includes(w));
}
