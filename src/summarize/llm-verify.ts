import type { LlmContext } from '../answer/llm.ts';
import { stanceOf } from './signals.ts';
import type { AnalyzedMessage } from './thread-analysis.ts';
import type { Prepared } from './thread-prepare.ts';
import type { PersonRef, SummaryPoint } from './types.ts';

/**
 * Checks a model's sections against the thread analysis, after its quotes and sources were
 * grounded: each cited message must support the section it is cited for.
 *
 * - an agreement must cite a message (or a 👍/✅ on one) in which a second person agrees;
 *   a disagreement one in which a second person pushes back; otherwise it is dropped;
 * - a decision must cite a deciding message or a proposal someone else accepted;
 * - an open question must cite a question the analysis does not find answered;
 * - an action item's owner must be a participant or a mentioned user (by id or name), and is
 *   stored as their user id; any other owner (a pronoun, a made-up name) is dropped.
 */

export type VerifyDropReason = 'agreement_unsupported' | 'disagreement_unsupported' | 'decision_unsupported' | 'question_answered' | 'owner_unknown';

export interface VerifyDrop {
  reason: VerifyDropReason;
  text: string;
}

function cited(p: Prepared, point: SummaryPoint): AnalyzedMessage[] {
  const byTs = new Map(p.analysis.messages.map((m) => [m.ts, m]));
  return point.sources.map((s) => byTs.get(s.id)).filter((m): m is AnalyzedMessage => m !== undefined);
}

/** A second person's assent (or dissent) on one of the cited messages, in a cited reply or a reaction. */
export function stanceSupported(p: Prepared, point: SummaryPoint, stance: 'assent' | 'dissent'): boolean {
  const msgs = cited(p, point);
  const ids = new Set(msgs.map((m) => m.index));
  for (const e of p.analysis.stances) {
    if (e.stance !== stance || !ids.has(e.to) || e.by.id === p.analysis.messages[e.to]!.author.id) continue;
    if (e.via === 'reaction' || (e.from !== undefined && ids.has(e.from))) return true;
  }
  // The analysis may have read the target differently: a cited reply with the cue, by someone other than another cited message's author.
  return msgs.some((m) => stanceOf(m.text)?.stance === stance && msgs.some((o) => o.index < m.index && o.author.id !== m.author.id));
}

function decisionSupported(p: Prepared, point: SummaryPoint): boolean {
  const msgs = cited(p, point);
  if (msgs.some((m) => m.decision)) return true;
  return msgs.some((m) => m.proposal && p.analysis.stances.some((e) => e.stance === 'assent' && e.to === m.index && e.by.id !== m.author.id));
}

function questionOpen(p: Prepared, point: SummaryPoint): boolean {
  const ids = new Set(cited(p, point).map((m) => m.index));
  const qs = p.analysis.questions.filter((q) => ids.has(q.message));
  return qs.length > 0 && qs.some((q) => q.open);
}

/** A participant or mentioned user by id, "@name", full name or unique first name; never a pronoun. */
export function resolvePerson(p: Prepared, name: string): PersonRef | undefined {
  const n = name.trim().replace(/^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/, '$1').replace(/^@/, '');
  if (!n || /^(?:i|me|you|we|us|they|them|he|she|him|her|someone|anyone|everyone|team|all|staff|the team)$/i.test(n)) return undefined;
  const people = [...p.analysis.participants, ...p.analysis.mentionedOnly];
  const exact = people.find((x) => x.id === n || x.name.toLowerCase() === n.toLowerCase());
  if (exact) return exact;
  const first = people.filter((x) => x.name.split(/\s+/)[0]!.toLowerCase() === n.toLowerCase());
  return first.length === 1 ? first[0] : undefined;
}

export interface VerifiedSections {
  agreements: SummaryPoint[];
  disagreements: SummaryPoint[];
  decisions: SummaryPoint[];
  openQuestions: SummaryPoint[];
  actionItems: SummaryPoint[];
}

export function verifySections(p: Prepared, s: VerifiedSections, drops: VerifyDrop[]): VerifiedSections {
  const keep = (xs: SummaryPoint[], ok: (x: SummaryPoint) => boolean, reason: VerifyDropReason) =>
    xs.filter((x) => {
      if (ok(x)) return true;
      drops.push({ reason, text: x.text });
      return false;
    });
  const actionItems = s.actionItems.map((x) => {
    if (!x.owner) return x;
    const person = resolvePerson(p, x.owner);
    const { owner: _owner, ownerName: _name, ...rest } = x;
    if (!person) {
      drops.push({ reason: 'owner_unknown', text: x.text });
      return rest;
    }
    return { ...rest, owner: person.id, ownerName: person.name };
  });
  return {
    agreements: keep(s.agreements, (x) => stanceSupported(p, x, 'assent'), 'agreement_unsupported'),
    disagreements: keep(s.disagreements, (x) => stanceSupported(p, x, 'dissent'), 'disagreement_unsupported'),
    decisions: keep(s.decisions, (x) => decisionSupported(p, x), 'decision_unsupported'),
    openQuestions: keep(s.openQuestions, (x) => questionOpen(p, x), 'question_answered'),
    actionItems,
  };
}

/** One warn line with the counts by reason, like the grounding drops. */
export function logVerifyDrops(ctx: Pick<LlmContext, 'logger' | 'ref'>, drops: readonly VerifyDrop[]): void {
  if (drops.length === 0) return;
  const byReason: Record<string, number> = {};
  for (const d of drops) byReason[d.reason] = (byReason[d.reason] ?? 0) + 1;
  ctx.logger.warn({ ref: ctx.ref, step: 'summarize-thread-verify', dropped: drops.length, byReason }, 'dropped summary items the thread does not support');
}
