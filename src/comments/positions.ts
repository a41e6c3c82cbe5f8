import { sentenceSpans } from '../text/sentences.ts';
import type { Position } from './schema.ts';

/**
 * A comment's position on the proposal its docket answers, offline: supports, opposes, mixed or
 * unclear, with the verbatim sentence that shows it.
 *
 * Reading a comment against the proposal's own terms, not for positive or negative words:
 *
 * 1. The proposal is framed once (`frameProposal`): which way it moves the rules it changes
 *    (loosen: relax, delay, exempt, give flexibility, roll back; tighten: require, ban, expand,
 *    strengthen), what it is called (its own content words), and what it changes.
 *    "Revise the ... requirements" says no direction; requirements being revised are presumed to
 *    be loosened, the usual sense of such notices (stated, and overridden by any direction word).
 * 2. Each sentence is read for cues, each with a side relative to the proposal:
 *    - stance verbs and their object: "we support the proposal" (for), "I oppose any delay"
 *      (a stance on a change: oppose × loosen), "I support strong standards" (a stance on the
 *      status quo: against the change);
 *    - requests to keep what the proposal changes ("keep", "maintain", "leave in place", "as
 *      scheduled") are against it; requests to move the same way ("schools need flexibility",
 *      "please relax") are for it, the other way against it;
 *    - consequences: a change called harmful or helpful ("weakening them will hurt children",
 *      "the flexibility will cut plate waste"), the current rules called working or burdensome;
 *    - arguments whose direction is plain without a verb (red tape, cost, waste → loosen;
 *      loopholes, health and safety at risk → tighten), weakly;
 *    - negation ("do not weaken", "not support", "no need to keep") and rhetorical questions
 *      ("why would we weaken ...?") turn a cue around.
 * 3. The sides are summed; both sides strong is mixed; no cue is unclear (off-topic comments).
 *    The quote is the sentence with the strongest cue of the winning side (for mixed, one with
 *    both when there is one).
 */

export type Direction = 'loosen' | 'tighten';

export interface ProposalFrame {
  proposal: string;
  direction: Direction;
  /** Whether the direction was said by the proposal (false: presumed, see above). */
  directionStated: boolean;
  /** The proposal's own content words (lower case, stemmed by prefix): what it is about. */
  terms: string[];
  /** The proposal widens a loosening (an exemption, a waiver): "expand it" in a comment loosens. */
  looseObject: boolean;
}

export interface PositionReading {
  position: Position;
  /** The sentence that shows it, verbatim from the text; null for unclear. */
  quote: string | null;
  support: number;
  oppose: number;
}

// ---------------------------------------------------------------------------------------------
// Lexicon: word stems (matched at the start of a word) by role. These are the vocabulary of the
// rules above, not the rules themselves.

const LOOSEN = [
  'relax', 'ease', 'eased', 'eases', 'easing', 'loosen', 'allow', 'permit', 'weaken', 'roll back', 'rolling back', 'rolled back', 'rolls back', 'rollback', 'roll-back', 'rescind', 'repeal', 'eliminat',
  'remov', 'delay', 'postpon', 'exempt', 'exemption', 'waiv', 'lift', 'lower', 'scale back', 'scaling back', 'water down', 'watered down', 'watering down',
  'gut', 'guts', 'gutted', 'gutting', 'undo', 'undoing', 'carve out', 'exception', 'dismantl', 'deregulat', 'streamlin', 'simplif', 'flexib', 'narrow', 'suspend', 'revers', 'retreat', 'backslid', 'lessen',
  'dilut', 'sunset', 'less stringent', 'less strict', 'fewer', 'reliev', 'relief', 'cut back', 'cut red tape', 'lower the bar',
];
// Verbs whose direction depends on their object: reduce the requirements (loosen) or reduce the
// exemptions (tighten); expand the monitoring (tighten) or expand the exemption (loosen).
const DOWN_VERBS = ['reduc', 'cut', 'cuts', 'cutting', 'lower', 'drop', 'drops', 'dropping', 'shrink', 'decreas', 'limit', 'curb'];
const UP_VERBS = ['expand', 'extend', 'increas', 'rais', 'lengthen', 'widen', 'broaden', 'add', 'more'];
// Nouns that are themselves a loosening: more of them is less regulation.
const LOOSE_NOUNS = ['exempt', 'exception', 'flexib', 'waiver', 'loophole', 'carve-out', 'carve out', 'relief', 'radius', 'hours'];
const TIGHTEN = [
  'strengthen', 'tighten', 'toughen', 'stricter', 'more stringent', 'more strict', 'require', 'requires', 'required', 'requiring', 'mandating', 'mandated', 'ban', 'bans', 'banned', 'banning', 'prohibit',
  'restrict', 'enforc', 'bolster', 'crack down', 'close the loophole', 'close loophole', 'more oversight', 'more monitoring', 'more protection', 'stronger',
  'raise the standard', 'higher standard', 'impos', 'close', 'closed',
];
// The rules being changed, as commenters name them.
const REG_NOUNS = [
  'standard', 'requirement', 'rule', 'regulation', 'limit', 'restriction', 'control', 'monitoring', 'oversight', 'protection', 'safeguard', 'target',
  'guideline', 'law', 'policy', 'polic', 'program', 'check', 'reporting', 'mandate', 'criteria', 'provision', 'measure', 'licens', 'review', 'inspection',
  'the bar', 'burden', 'paperwork', 'enforcement', 'ban', 'exempt', 'flexib', 'waiver', 'loophole',
];
const PROPOSAL_REFS = [
  'proposal', 'proposed', 'this rule', 'the rule', 'the new rule', 'interim final rule', 'final rule', 'rulemaking', 'the change', 'these change', 'this change',
  'the changes', 'revision', 'amendment', 'the plan', 'this plan', 'this action', 'the action', 'this effort', 'this move', 'this decision', 'this step',
  'these flexibilit', 'the flexibilit', 'this flexibilit', 'flexibilit', 'the update', 'this update', 'the department\'s', 'the agency\'s', 'usda\'s', 'it',
  'this', 'these',
];
// Supporting or defending these is supporting the rules as they are.
const STATUS_QUO = [
  'current', 'existing', 'present', "today's", 'strong', 'robust', 'rigorous', 'healthy', 'healthier', 'science-based', 'evidence-based', 'as is', 'as it is',
  'as they are', 'in place', 'on schedule', 'as scheduled', 'as planned', 'on time', 'the standards', 'the requirements', 'the rules', 'these standards',
  'these requirements', 'these rules', 'these protections', 'the protections', 'the safeguards', 'the progress', 'progress',
];
const SUPPORT_VERBS = [
  'support', 'favor', 'favour', 'in favor of', 'endorse', 'applaud', 'welcome', 'commend', 'agree with', 'approve of', 'appreciate', 'thank you for', 'thanks for',
  'glad', 'pleased', 'happy to see', 'grateful', 'agree that', 'agree', 'thank you', 'waited a long time', 'long time coming', 'am for', 'are for', 'back the', 'backing the', 'praise', 'celebrate', 'encourage', 'a step in the right direction',
  'a good idea', 'a great idea', 'good news', 'common sense', 'common-sense', 'sensible', 'long overdue', 'overdue', 'much needed', 'much-needed', 'welcome',
];
const OPPOSE_VERBS = [
  'oppose', 'opposed', 'opposition', 'object to', 'objection', 'against', 'disagree', 'reject', 'condemn', 'concerned about', 'concerned that', 'alarmed',
  'dismayed', 'disappointed', 'deplore', 'protest', 'troubled', 'appalled', 'outraged', 'goes too far', 'go too far', 'too far', 'punish', 'unfair',
  'a mistake', 'a bad idea', 'a terrible idea', 'a step backward',
  'a step back', 'step in the wrong direction', 'misguided', 'shortsighted', 'short-sighted', 'wrong', 'ill-advised', 'unacceptable', 'shameful', 'disgrace',
];
// Asking for the proposal to go ahead, or not.
const ADOPT = ['adopt', 'finaliz', 'approve', 'implement', 'move forward', 'proceed', 'go ahead', 'pass', 'enact', 'make permanent', 'put in place'];
const WITHDRAW = ['withdraw', 'reconsider', 'abandon', 'scrap', 'drop', 'stop', 'halt', 'reverse course', 'back down', 'not move forward', 'do not finaliz', 'rethink'];
const KEEP = [
  'keep', 'maintain', 'preserv', 'retain', 'uphold', 'protect', 'continu', 'sav', 'defend', 'stand by', 'stick with', 'stay the course', 'hold the line',
  'leave', 'left in place', 'remain', 'honor', 'honour', 'fully implement', 'not change', 'not be changed', 'no change', 'stay',
];
// Consequences and evaluations.
const HARM = [
  'harm', 'hurt', 'damag', 'endanger', 'threat', 'risk', 'danger', 'disast', 'jeopard', 'undermin', 'devastat', 'setback', 'set back', 'worse', 'worsen',
  'unhealthy', 'irresponsib', 'reckless', 'bad for', 'detriment', 'erode', 'erosion', 'compromis', 'at the expense', 'sicker', 'obes',
  'diabet', 'heart disease', 'hypertension', 'lose', 'loss', 'fail', 'cost lives', 'deadly', 'unsafe', 'black market', 'illicit', 'kill', 'crash',
  'more dangerous', 'abuse', 'pressure',
];
const BENEFIT = [
  'help', 'benefit', 'improv', 'sensible', 'reasonable', 'practical', 'needed', 'relief', 'enable', 'let ', 'allow', 'make it easier', 'easier', 'save',
  'reduce waste', 'less waste', 'cut waste', 'good for', 'positive', 'success', 'effective', 'paid off', 'made a difference', 'progress',
  'keep ', 'in business', 'helpful', 'justified', 'makes sense', 'make sense',
];
// Judging the proposal (its name or a pronoun before them): "the proposal is sensible", "this ban punishes people like me".
const EVAL_GOOD = ['helpful', 'makes sense', 'make sense', 'is justified', 'justified', 'is right', 'reasonable', 'sensible', 'common sense', 'common-sense', 'overdue', 'a good step', 'a step in the right direction', 'welcome'];
const EVAL_BAD = ['punish', 'unfair', 'goes too far', 'go too far', 'dangerous', 'harmful', 'reckless', 'a mistake', 'misguided', 'wrong', 'a step backward', 'overreach', 'unacceptable', 'will not work', "won't work", 'does not', 'ineffective'];
// Arguments whose direction shows without a verb.
const LOOSEN_ARGS = [
  'burden', 'costly', 'expensive', 'cost', 'unworkable', 'unrealistic', 'too strict', 'too rigid', 'rigid', 'onerous', 'excessive', 'impractical', 'difficult',
  'hard to', 'waste', 'wasted', 'throw away', 'thrown away', 'throwing away', 'trash', 'red tape', 'paperwork', 'confusing', 'complicated', 'duplicative',
  'unnecessary', 'one-size-fits-all', 'one size fits all', 'bureaucra', 'overreach', 'local control', 'flexib', 'won\'t eat', 'will not eat', 'refuse to eat',
  'participation has dropped', 'participation dropped', 'declining participation', 'compet', 'delays', 'backlog',
];
const TIGHTEN_ARGS = [
  'loophole', 'lax', 'too weak', 'insufficient', 'inadequate', 'not enough', 'more needs to be done', 'health', 'safety', 'safe', 'security', 'obesity',
  'nutriti', 'children deserve', 'kids deserve', 'our children', 'our kids', 'lives', 'diversion', 'divert', 'fall into the wrong hands', 'wrong hands',
  'accountab', 'transparen', 'industry', 'lobby', 'profit', 'science', 'evidence', 'fatigue', 'crash',
];
const MODAL = [
  'should', 'must', 'need', 'urge', 'ask', 'request', 'please', 'want', 'would like', 'time to', 'call on', 'recommend', 'encourage', 'let ', 'allow',
  'give', 'provide', 'deserve', 'we can', 'i hope', 'hope', 'it is important', 'time for', 'let\'s',
];
const WHOLE = new Set(['require', 'requires', 'required', 'it', 'this', 'these', 'them', 'ban', 'bans', 'cut', 'cuts', 'gut', 'guts', 'drop', 'stop', 'lift', 'work', 'stay', 'leave', 'cost', 'lose', 'loss', 'safe', 'lax', 'risk', 'fail', 'help', 'undo', 'add', 'more', 'pass', 'agree', 'close', 'closed', 'ease', 'eased', 'eases', 'right', 'kill', 'wrong', 'limit', 'need', 'ask', 'want', 'give', 'hope', 'save', 'law', 'check', 'bar', 'hours']);
const CONTRAST = /\b(?:but|however|although|though|while|yet|except)\b/;
const CONDITIONAL = /\b(?:only if|as long as|provided that|on the condition|so long as|unless)\b/;
const NEGATORS = /\b(?:not|no|never|nor|without|cannot|can't|won't|don't|doesn't|didn't|shouldn't|mustn't|isn't|aren't|wasn't|weren't|neither|stop|against|refuse|less)\b|n't\b/;

// ---------------------------------------------------------------------------------------------

const STOP = new Set(
  'a an the and or of for to in on at by with from as is are be been its it this that these those their our your into over under than then such about per via any all each other new also whose which who what when where how will would may can could should must shall not no'.split(' '),
);

const stem = (w: string) => w.replace(/(?:ies|es|s|ing|ed|ment|ments|al)$/, '').slice(0, 8);

/** Word-start match of any stem in a lower-cased, space-padded text; the index of the first match or -1. */
function findAny(text: string, stems: readonly string[]): number {
  let best = -1;
  for (const s of stems) {
    const re = stemRegex(s);
    const m = re.exec(text);
    if (m && (best < 0 || m.index < best)) best = m.index;
  }
  return best;
}

const regexCache = new Map<string, RegExp>();
function stemRegex(s: string): RegExp {
  let re = regexCache.get(s);
  if (!re) {
    const esc = s.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
    // Listed short words (it, this, ban) must be whole words; others are stems.
    const tail = WHOLE.has(s.trim()) || s.endsWith(' ') ? '\\b' : '';
    re = new RegExp(`(?<![\\p{L}\\p{N}])${esc}${tail}`, 'u');
    regexCache.set(s, re);
  }
  return re;
}

const has = (text: string, stems: readonly string[]) => findAny(text, stems) >= 0;

/** The first match of any stem: where it is and how long; null for none. */
function firstMatch(text: string, stems: readonly string[]): { at: number; len: number } | null {
  let best: { at: number; len: number } | null = null;
  for (const st of stems) {
    const m = stemRegex(st).exec(text);
    if (m && (!best || m.index < best.at)) best = { at: m.index, len: m[0].length };
  }
  return best;
}

/**
 * The first change of the rules a text asks for or describes, with its direction: a loosening or
 * tightening verb, or a verb whose direction its object decides (reduce the requirements: loosen;
 * expand the exemption: loosen; expand the monitoring: tighten).
 */
function directionIn(text: string, frame?: ProposalFrame): { dir: Direction; at: number; len: number } | null {
  const found: Array<{ dir: Direction; at: number; len: number }> = [];
  const l = firstMatch(text, LOOSEN);
  if (l) found.push({ dir: 'loosen', ...l });
  const t = firstMatch(text, TIGHTEN);
  if (t) {
    // "require ... exemption", "ban ... waivers": a tightening verb on a loosening noun loosens nothing; keep its sense.
    found.push({ dir: 'tighten', ...t });
  }
  for (const [verbs, sense] of [[DOWN_VERBS, -1], [UP_VERBS, 1]] as const) {
    const m = firstMatch(text, verbs);
    if (!m) continue;
    const object = text.slice(m.at + m.len, m.at + m.len + 50);
    const loose = has(object, LOOSE_NOUNS) || (frame !== undefined && frame.looseObject && /^\s*(?:it|them)\b/.test(object));
    const rules = has(object, REG_NOUNS) || (frame !== undefined && has(object, frame.terms));
    if (!loose && !rules) continue;
    // Less regulation (down + rules, up + loosening nouns) is a loosening.
    const dir: Direction = (sense === 1) === loose ? 'loosen' : 'tighten';
    found.push({ dir, ...m });
  }
  if (!found.length) return null;
  found.sort((a, b) => a.at - b.at);
  // A loosening noun right after the verb decides ("expand the exemption").
  return found[0]!;
}

export function frameProposal(proposal: string): ProposalFrame {
  const p = ` ${proposal.toLowerCase()} `;
  const d = directionIn(p);
  let direction: Direction = 'loosen';
  let directionStated = false;
  if (d) {
    direction = d.dir;
    directionStated = true;
  } else if (/\b(?:require|impose|establish|create|adopt|add)\b/.test(p) && !/\b(?:revise|amend|update|modify|change)\b/.test(p)) {
    direction = 'tighten';
    directionStated = true;
  }
  const terms = [...new Set(proposal.toLowerCase().split(/[^\p{L}\p{N}-]+/u).filter((w) => w.length > 2 && !STOP.has(w)).map(stem))];
  return { proposal, direction, directionStated, terms, looseObject: has(p, LOOSE_NOUNS) };
}

interface Cue {
  side: 1 | -1;
  weight: number;
}

/** Is the cue at `at` negated: a negator among the few words before it, inside its clause. */
function negatedAt(s: string, at: number): boolean {
  const before = s.slice(Math.max(0, at - 40), at);
  const clause = before.split(/[,;:]|\bbut\b|\bhowever\b|\bwhile\b|\bbecause\b/).pop() ?? '';
  const words = clause.trim().split(/\s+/).slice(-4).join(' ');
  return NEGATORS.test(words);
}

/** The text from `at` to the end of its clause. */
function clauseFrom(s: string, at: number): string {
  const rest = s.slice(at);
  const end = rest.slice(1).search(/[;:.!?]|,\s*(?:but|however|while|and i|and we)\b|\bbut\b|\bhowever\b/);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

/** The clause that ends at `at`. */
function clauseBefore(s: string, at: number): string {
  return s.slice(0, at).split(/[;:.!?]|\bbut\b|\bhowever\b/).pop() ?? '';
}

const REFS = PROPOSAL_REFS.filter((r) => r !== 'it' && r !== 'this' && r !== 'these');
const ASKING = /\b(?:please|urge|ask|asks|request|call on|should|must|need to|needs to|want you to|encourage|recommend|i hope|time to)\b/;

function sentenceCues(sentence: string, frame: ProposalFrame, onTopic: boolean): Cue[] {
  const s = ` ${sentence.toLowerCase().replace(/[’‘]/g, "'").replace(/\s+/g, ' ')} `;
  const cues: Cue[] = [];
  const forChange = (dir: Direction): 1 | -1 => (dir === frame.direction ? 1 : -1);
  const question = /\?\s*$/.test(s.trim()) && /^\s*(?:why|how|what|who|is|are|do|does|should|would|can|could)\b/.test(s);
  const refersToProposal = (t: string) => has(t, REFS) || has(t, frame.terms.filter((x) => x.length > 3).slice(0, 6)) || /\b(?:it|this|these|they)\b/.test(t);

  // 1. Stance verbs, read with their object.
  for (const [verbs, side] of [[SUPPORT_VERBS, 1], [OPPOSE_VERBS, -1]] as const) {
    const m = firstMatch(s, verbs);
    if (!m) continue;
    let sd: 1 | -1 = negatedAt(s, m.at) || (question && side === 1) ? (-side as 1 | -1) : side;
    const object = clauseFrom(s, m.at + m.len);
    // A closing "Thank you." thanks for reading, not for the proposal.
    if (/^(?:thank|thanks)/.test(s.slice(m.at, m.at + m.len)) && /^\s*(?:(?:for your (?:time|consideration|attention)|very much)\b)?\s*[.!,]?\s*$/.test(object)) continue;
    const dir = directionIn(object, frame);
    const refAt = findAny(object, REFS);
    const quoAt = findAny(object, STATUS_QUO);
    let weight = 1.5;
    if (dir && (refAt < 0 || dir.at < refAt) && (quoAt < 0 || dir.at <= quoAt)) {
      // "oppose any delay", "support efforts to strengthen": a stance on a change of one direction.
      sd = (sd * forChange(dir.dir)) as 1 | -1;
    } else if (refAt >= 0) {
      // "support the proposal": direct.
    } else if (quoAt >= 0) {
      // "support the current standards", "support healthy meals": for the rules as they are.
      sd = -sd as 1 | -1;
      weight = 1.2;
    } else if (/^\s*(?:it|this|these|them)\b/.test(object) || /^\s*[.!,]?\s*$/.test(object) || refersToProposal(clauseBefore(s, m.at))) {
      weight = 1.2;
    } else if (onTopic) {
      weight = 0.6;
    } else {
      continue;
    }
    cues.push({ side: sd, weight });
    if (CONDITIONAL.test(object)) cues.push({ side: -sd as 1 | -1, weight: weight * 0.8 });
  }

  // 1b. The proposal judged: "the proposal is sensible", "this ban punishes people like me".
  if (!cues.length) {
    for (const [words, side] of [[EVAL_GOOD, 1], [EVAL_BAD, -1]] as const) {
      const m = firstMatch(s, words);
      if (!m || !refersToProposal(clauseBefore(s, m.at))) continue;
      cues.push({ side: negatedAt(s, m.at) ? (-side as 1 | -1) : side, weight: 1.2 });
    }
  }

  // 2. Asking for the proposal to go ahead or to be dropped.
  const withdraw = firstMatch(s, WITHDRAW);
  const adopt = firstMatch(s, ADOPT);
  if (withdraw && ASKING.test(clauseBefore(s, withdraw.at + withdraw.len)) && !has(s.slice(withdraw.at, withdraw.at + 40), ['loophole', 'wast', 'diversion', 'smok'])) {
    cues.push({ side: negatedAt(s, withdraw.at) ? 1 : -1, weight: 1.5 });
  } else if (adopt && ASKING.test(clauseBefore(s, adopt.at + adopt.len))) {
    cues.push({ side: negatedAt(s, adopt.at) ? -1 : 1, weight: 1.3 });
  }

  // 3. Keep what the proposal changes: "keep the standards", "the inspections must remain".
  const keep = firstMatch(s, KEEP);
  if (keep) {
    const object = clauseFrom(s, keep.at + keep.len);
    const subject = clauseBefore(s, keep.at);
    const aboutRules =
      has(object, REG_NOUNS) || has(object, STATUS_QUO) || has(object, frame.terms) || /^\s*(?:it|them|these|those)\b/.test(object) ||
      (/^(?:remain|stay|continu|left in place)/.test(s.slice(keep.at + 1)) && (has(subject, REG_NOUNS) || has(subject, frame.terms)));
    if (aboutRules) {
      const neg = negatedAt(s, keep.at) || question;
      cues.push({ side: neg ? 1 : -1, weight: has(object, REG_NOUNS) || has(object, STATUS_QUO) || has(subject, REG_NOUNS) ? 1.3 : 0.8 });
    }
  }

  // 4. A change of one direction, asked for or judged: modal ("should be relaxed"), imperative
  //    ("ban them"), consequence ("weakening them will hurt"), or question ("why weaken ...?").
  if (!cues.some((c) => c.weight >= 1)) {
    const d = directionIn(s, frame);
    if (d) {
      const near = s.slice(Math.max(0, d.at - 60), d.at + d.len + 60);
      const after = s.slice(d.at + d.len);
      const aboutRules = has(near, REG_NOUNS) || has(near, frame.terms) || has(near, LOOSE_NOUNS) || /^\s*(?:it|them|this|these)\b/.test(after);
      if (aboutRules) {
        const imperative = /^\s*(?:please\s+)?$/.test(s.slice(0, d.at));
        let polarity = negatedAt(s, d.at) || question ? -1 : 1;
        const judged = has(after, HARM) ? -1 : has(after, BENEFIT) ? 1 : 0;
        if (judged !== 0 || has(s, MODAL) || question || imperative || negatedAt(s, d.at)) {
          if (judged !== 0) polarity *= judged;
          cues.push({ side: (polarity * forChange(d.dir)) as 1 | -1, weight: 1 });
        }
      }
    }
  }

  // 5. The rules as they are, judged: working (keep them) or burdensome (change them).
  const quoAt = findAny(s, ['current', 'existing', 'present', 'the standards', 'these standards', 'the rules', 'the requirements', 'the 2012', 'has worked', 'have worked']);
  if (quoAt >= 0 && !cues.length) {
    const after = s.slice(quoAt);
    if (has(after, LOOSEN_ARGS)) cues.push({ side: forChange('loosen'), weight: 0.9 });
    else if (has(after, ['working', 'worked', 'work', 'success', 'effective', 'paid off', 'made a difference', 'progress', 'improv', 'helped'])) {
      cues.push({ side: negatedAt(after, 12) ? forChange('loosen') : (-forChange('loosen') as 1 | -1), weight: 0.9 });
    }
  }

  // 6. Arguments whose direction shows by themselves, weakly, on topic only.
  if (!cues.length && onTopic) {
    const l = has(s, LOOSEN_ARGS);
    const t = has(s, TIGHTEN_ARGS);
    if (l && !t) cues.push({ side: forChange('loosen'), weight: 0.4 });
    else if (t && !l) cues.push({ side: forChange('tighten'), weight: 0.4 });
  }
  return cues;
}

/** The proposal's terms a text mentions. */
function termHits(text: string, frame: ProposalFrame): number {
  const words = new Set(text.toLowerCase().split(/[^\p{L}\p{N}-]+/u).map(stem));
  return frame.terms.filter((t) => words.has(t)).length;
}

export function readPosition(text: string, frame: ProposalFrame): PositionReading {
  const onTopic = termHits(text, frame) >= Math.min(2, frame.terms.length) || /\b(?:proposal|proposed|rule|rulemaking|regulation|standards?|requirements?)\b/i.test(text);
  let support = 0;
  let oppose = 0;
  let contrasted = false;
  const scored: Array<{ quote: string; s: number; o: number }> = [];
  for (const span of sentenceSpans(text)) {
    const sentence = text.slice(span.start, span.end);
    if (sentence.trim().length < 3) continue;
    // A contrast splits a sentence into parts read on their own: "I support X, but I oppose Y".
    const parts = sentence.split(/,?\s*\b(?:but|however|although|though|yet|except that)\b,?|;\s*(?=however\b)/i).filter((x) => x.trim().length > 2);
    const cues = parts.flatMap((part) => sentenceCues(part, frame, onTopic));
    if (!cues.length) continue;
    let s = 0;
    let o = 0;
    for (const c of cues) {
      if (c.side > 0) s += c.weight;
      else o += c.weight;
    }
    support += s;
    oppose += o;
    if (CONTRAST.test(sentence.toLowerCase()) || (scored.length > 0 && /^\s*(?:however|but|yet|still)\b/i.test(sentence))) contrasted = true;
    scored.push({ quote: sentence.trim(), s, o });
  }
  const lo = Math.min(support, oppose);
  const hi = Math.max(support, oppose);
  let position: Position;
  if (hi === 0) position = 'unclear';
  else if (lo >= 1 && (lo / hi >= 0.6 || (contrasted && lo / hi >= 0.4))) position = 'mixed';
  else if (hi - lo < 0.3) position = lo >= 0.6 ? 'mixed' : 'unclear';
  else position = support > oppose ? 'supports' : 'opposes';
  let quote: string | null = null;
  if (position !== 'unclear') {
    const pick =
      position === 'mixed'
        ? (scored.find((x) => x.s > 0 && x.o > 0) ?? [...scored].sort((a, b) => b.s + b.o - (a.s + a.o))[0])
        : [...scored].sort((a, b) => (position === 'supports' ? b.s - b.o - (a.s - a.o) : b.o - b.s - (a.o - a.s)))[0];
    quote = pick?.quote ?? null;
  }
  return { position, quote, support: Math.round(support * 10) / 10, oppose: Math.round(oppose * 10) / 10 };
}

/** A stance label as analysts write it ("support", "Oppose", "neutral", "for", "against") → a position; null when it is none of them. */
export function positionFromLabel(label: string | null | undefined): Position | null {
  const l = (label ?? '').trim().toLowerCase();
  if (!l) return null;
  if (/^(?:supports?|support(?:ive|ing)|for|pro|favou?r|yes|positive|agree)$/.test(l)) return 'supports';
  if (/^(?:oppos(?:e|es|ed|ing|ition)|against|con|anti|no|negative|disagree)$/.test(l)) return 'opposes';
  if (/^(?:mixed|both|partial|conditional|split)$/.test(l)) return 'mixed';
  if (/^(?:neutral|unclear|none|n\/?a|other|off[- ]?topic|unknown|irrelevant)$/.test(l)) return 'unclear';
  return null;
}
