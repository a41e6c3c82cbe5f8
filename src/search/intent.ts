import type { ComparisonSide, QueryKind, StatusAsk, TimeScope, YearRange } from '../domain/query.ts';

/**
 * The wording of a question read for what it asks: a look-up, a status question or a
 * comparison, and about which time or version. Pure text work, no store: the words staff use
 * for time and versions are English, not facts of any document.
 */

/**
 * US administrations by the years they span (general knowledge, not a document fact). A year
 * two administrations share belongs to both: the question's years are a preference, not a filter.
 */
export const ADMINISTRATIONS: Array<{ name: string; match: RegExp; terms: YearRange[] }> = [
  { name: 'Carter', match: /\bcarter\b/i, terms: [{ from: 1977, to: 1981 }] },
  { name: 'Reagan', match: /\breagan\b/i, terms: [{ from: 1981, to: 1989 }] },
  { name: 'Clinton', match: /\bclinton\b/i, terms: [{ from: 1993, to: 2001 }] },
  { name: 'George W. Bush', match: /\b(?:george w\.? bush|bush 43|w\.? bush|second bush)\b/i, terms: [{ from: 2001, to: 2009 }] },
  { name: 'George H. W. Bush', match: /\b(?:george h\.? ?w\.? bush|bush 41|first bush)\b/i, terms: [{ from: 1989, to: 1993 }] },
  { name: 'Bush', match: /\bbush\b/i, terms: [{ from: 1989, to: 1993 }, { from: 2001, to: 2009 }] },
  { name: 'Obama', match: /\bobama\b/i, terms: [{ from: 2009, to: 2017 }] },
  { name: 'Trump (first term)', match: /\b(?:first trump|trump'?s first|trump 45)\b/i, terms: [{ from: 2017, to: 2021 }] },
  { name: 'Trump (second term)', match: /\b(?:second trump|trump'?s second|trump 47)\b/i, terms: [{ from: 2025, to: 2029 }] },
  { name: 'Trump', match: /\btrump\b/i, terms: [{ from: 2017, to: 2021 }, { from: 2025, to: 2029 }] },
  { name: 'Biden', match: /\bbiden\b/i, terms: [{ from: 2021, to: 2025 }] },
];

const CURRENT_CUES =
  /\b(?:current(?:ly)?|now|nowadays|in force|in effect|in place|still (?:valid|active|apply|applies|applicable|stand|stands|hold|holds|good)|latest|newest|most recent|today'?s|today|at present|presently|present|up[- ]to[- ]date|these days|right now|valid|active|operative)\b/gi;
const EARLIER_CUES = /\b(?:original|originally|previous|previously|prior|old|older|earlier|former|first|initial|predecessor|superseded|replaced|outdated)\b/gi;
const LATER_CUES = /\b(?:revised|revision|new|newer|updated|update|amended|successor|replacement|follow-?up)\b/gi;

/**
 * Words that say which time or version a question means, never what it is about: "original",
 * "previous", "old", "revised", "new", "current", "latest", "in force". They choose documents
 * (readTimeScope), so they are not topic words: they do not count for coverage (abstention) or
 * in a comparison's topic. Years and administrations are not among them, and neither are words
 * that are often topics themselves ("first", "prior", "former", "initial", "valid", "active",
 * "amended", "replaced", "replacement").
 */
const TIME_WORDS =
  /\b(?:current(?:ly)?|now|nowadays|in force|in effect|in place|latest|newest|most recent|recent(?:ly)?|today'?s|at present|presently|up[- ]to[- ]date|these days|right now|original(?:ly)?|previous(?:ly)?|old(?:er|est)?|earlier|predecessor|superseded|outdated|revised|revision|new(?:er)?|updated)\b/gi;

/** Time words, as matches; "New" that opens a name ("New Zealand", "New York") is not one. */
function timeWordMatches(text: string): RegExpExecArray[] {
  return [...text.matchAll(TIME_WORDS)].filter((m) => !(/^New/.test(m[0]) && /^\s+\p{Lu}/u.test(text.slice(m.index + m[0].length))));
}

/** The time words of a text as written, in order ("in force" stays one phrase). */
export function timeWordsIn(text: string): string[] {
  return timeWordMatches(text).map((m) => m[0]);
}

/** The text without its time words (and an article left dangling before one). */
export function withoutTimeWords(text: string): string {
  let out = '';
  let at = 0;
  for (const m of timeWordMatches(text)) {
    out += `${text.slice(at, m.index).replace(/\b(?:the|a|an)\s+$/i, '')} `;
    at = m.index + m[0].length;
  }
  return (out + text.slice(at)).replace(/\s+/g, ' ').trim();
}

/** A four-digit year that is a year: not a sum of money, a weight, a distance, or part of an id ("NSPM-10", "NSPD-27"). */
const YEAR = /(?<![$\d.,/-])\b(1[89]\d\d|20\d\d)\b(?![\d.,]*\s*(?:kg|km|%|percent|billion|million|dollars|usd))/gi;

function yearsIn(text: string): Array<{ year: number; index: number; end: number }> {
  return [...text.matchAll(YEAR)].map((m) => ({ year: Number(m[1]), index: m.index!, end: m.index! + m[0].length }));
}

/** Years, ranges and administrations, each with the words it came from. */
function readYears(text: string): { years: YearRange[]; administrations: string[]; cues: string[] } {
  const years: YearRange[] = [];
  const cues: string[] = [];
  const used: Array<[number, number]> = [];
  const taken = (i: number, j: number) => used.some(([a, b]) => i < b && j > a);
  const take = (m: RegExpMatchArray, range: YearRange) => {
    if (taken(m.index!, m.index! + m[0].length)) return;
    used.push([m.index!, m.index! + m[0].length]);
    years.push(range);
    cues.push(m[0]);
  };
  for (const m of text.matchAll(/\b(?:between|from)\s+(1[89]\d\d|20\d\d)\s+(?:and|to|until|through|-)\s+(1[89]\d\d|20\d\d)\b/gi)) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    take(m, { from: Math.min(a, b), to: Math.max(a, b) });
  }
  for (const m of text.matchAll(/\b(1[89]\d\d|20\d\d)\s*(?:-|–|—|to|through)\s*(1[89]\d\d|20\d\d)\b/gi)) {
    take(m, { from: Number(m[1]), to: Number(m[2]) });
  }
  for (const m of text.matchAll(/\b(before|prior to|until|up to|earlier than)\s+(1[89]\d\d|20\d\d)\b/gi)) {
    const y = Number(m[2]);
    take(m, { from: null, to: /until|up to/i.test(m[1]!) ? y : y - 1 });
  }
  for (const m of text.matchAll(/\b(after|since|later than|from)\s+(1[89]\d\d|20\d\d)\b/gi)) {
    const y = Number(m[2]);
    take(m, { from: /after|later/i.test(m[1]!) ? y + 1 : y, to: null });
  }
  for (const y of yearsIn(text)) {
    if (taken(y.index, y.end)) continue;
    used.push([y.index, y.end]);
    years.push({ from: y.year, to: y.year });
    cues.push(String(y.year));
  }
  const administrations: string[] = [];
  let rest = text;
  for (const a of ADMINISTRATIONS) {
    const m = a.match.exec(rest);
    if (!m) continue;
    administrations.push(a.name);
    years.push(...a.terms);
    cues.push(m[0]);
    // "first Trump" must not also read as plain "Trump".
    rest = rest.replace(a.match, ' ');
  }
  return { years, administrations, cues };
}

export function readTimeScope(text: string): TimeScope {
  const { years, administrations, cues } = readYears(text);
  const current = [...text.matchAll(CURRENT_CUES)].map((m) => m[0]);
  const earlier = [...text.matchAll(EARLIER_CUES)].map((m) => m[0]);
  const later = [...text.matchAll(LATER_CUES)].map((m) => m[0]);
  const version = earlier.length > 0 && later.length === 0 ? 'earlier' : later.length > 0 && earlier.length === 0 ? 'later' : null;
  const all = [...cues, ...current, ...(version === 'earlier' ? earlier : version === 'later' ? later : [])];
  const order = (cue: string) => text.toLowerCase().indexOf(cue.toLowerCase());
  return {
    current: current.length > 0,
    years,
    version,
    administrations,
    cues: [...new Set(all)].sort((a, b) => order(a) - order(b)),
  };
}

/** Words that name a document rather than a topic: what a status question's subject is made of. */
const DOCUMENT_WORDS =
  /\b(?:polic(?:y|ies)|memorand(?:um|a)|nspm|directive|fact sheet|statement|plan|guidance|rule|regulation|order|version|revision|document|framework|strategy|initiative|mission)\b/i;

const STATUS_PATTERNS: Array<{ asks: StatusAsk; re: RegExp; subject?: number }> = [
  {
    asks: 'replaced',
    re: /\b(?:what|which)\s+(?:\w+\s+){0,3}(?:replaced|superseded|supersedes|succeeded|took the place of|came after)\s+(.+?)\??$/i,
    subject: 1,
  },
  {
    asks: 'replaced',
    re: /\b(?:is|was|has|have|had)\s+(.+?)\s+(?:been\s+)?(?:replaced|superseded|revoked|rescinded|withdrawn|retired|overtaken)\b/i,
    subject: 1,
  },
  {
    asks: 'in-force',
    re: /\b(?:is|are|does|do)\s+(.+?)\s+(?:still\s+)?(?:in (?:force|effect|place)|valid|active|current|(?:apply|applies|applicable)(?!\s+(?:to|for|in)\b)|the (?:current|latest|newest) (?:one|version|policy)|still (?:apply|applies|stand|stands|hold|holds|good|used|followed))\b/i,
    subject: 1,
  },
  { asks: 'in-force', re: /\bstill\s+(?:in (?:force|effect|place)|valid|active|current|the policy|applies|apply)\b/i },
  {
    asks: 'which-current',
    re: /\b(?:which|what)\s+(?:(?:\w+\s+){0,3})(?:is|are)\s+(?:currently\s+|now\s+)?(?:the\s+)?(?:current|in (?:force|effect|place)|latest|newest|most recent|valid|active)\b/i,
  },
  {
    asks: 'which-current',
    re: /\b(?:which|what)(?:'s| is| are)?\s+(?:the\s+)?(?:current|latest|newest|most recent)\s+(?:version|revision|policy|policies|edition|document|one)\b(?!\s+(?:say|says|on|about|regarding|require|requires|do|does|treat|cover|covers|state|states)\b)/i,
  },
  {
    asks: 'issued',
    re: /\bwhen\s+(?:was|were|did)\s+(.+?)\s+(?:issued|published|released|signed|adopted|announced|approved|come out|came out|put out|enacted|take effect|took effect|go into effect|come into force|become effective)\b/i,
    subject: 1,
  },
  {
    asks: 'issued',
    re: /\b(?:what|which)\s+(?:date|year|month)\s+(?:was|were|did)\s+(.+?)\s+(?:issued|published|released|signed|adopted|announced|approved|come out|take effect)\b/i,
    subject: 1,
  },
];

function readStatus(text: string): { asks: StatusAsk; subject: string | null } | null {
  for (const p of STATUS_PATTERNS) {
    const m = p.re.exec(text);
    if (!m) continue;
    // "What is the current policy on offsets?" asks what it says, not which one it is.
    if (p.asks === 'which-current' && /\b(?:on|about|regarding|concerning|toward|towards|for|say|says|require|requires|treat|cover)\b/i.test(text.slice(m.index + m[0].length))) continue;
    const subject = p.subject ? (m[p.subject] ?? '').trim().replace(/^(?:the|a|an)\b\s*/i, '') : null;
    if (subject !== null && subject.length === 0) continue;
    // "When was the UAS export market estimated ..." asks about the world, not a document.
    if (subject !== null && p.asks !== 'in-force' && !DOCUMENT_WORDS.test(subject)) continue;
    if (subject !== null && subject.split(/\s+/).length > 12) continue;
    return { asks: p.asks, subject: subject || null };
  }
  return null;
}

const TOPIC_LEAD =
  /\s+(?:on|about|regarding|concerning|over|in terms of|with respect to|with regard to|when it comes to|as to|for|in their (?:treatment|handling) of|in how they (?:treat|handle|address|approach|deal with))\s+(.+?)\s*\??$/i;

/** A comparison's topic without the time words ("the latest human rights rules" → "human rights rules"); null when nothing else is left. */
function cleanTopic(s: string): string | null {
  const t = cleanSide(withoutTimeWords(cleanSide(s)));
  return /[\p{L}\p{N}]/u.test(t) ? t : null;
}

function cleanSide(s: string): string {
  return s
    .replace(/^(?:the|a|an)\s+/i, '')
    .replace(/\s+(?:version|one)s?$/i, (m) => m)
    .replace(/[?.!,;:]+$/, '')
    .trim();
}

function splitTopic(tail: string): { side: string; topic: string | null } {
  const m = TOPIC_LEAD.exec(tail);
  if (m && m.index > 0) return { side: tail.slice(0, m.index), topic: cleanTopic(m[1]!) };
  return { side: tail, topic: null };
}

function sideOf(text: string): ComparisonSide {
  return { text: cleanSide(text), time: readTimeScope(text) };
}

/** "X and Y" / "X vs Y" / "X to Y" into two sides, when the split is clear. */
function twoSides(a: string, b: string): ComparisonSide[] {
  return [sideOf(a), sideOf(b)].filter((s) => s.text.length > 0);
}

/**
 * Comparisons: "what changed between X and Y", "compare how X and Y treat Z", "difference
 * between X and Y on Z", "X vs Y", "how does X differ from Y", "what is new in X". Sides may be
 * missing ("what changed in the revised policy?"): the caller decides which versions to set
 * side by side.
 */
function readComparison(text: string): { sides: ComparisonSide[]; topic: string | null } | null {
  const q = text.trim().replace(/\s+/g, ' ');
  let m: RegExpExecArray | null;
  // compare how X and Y treat Z
  if ((m = /\bcompare\s+how\s+(.+?)\s+(?:and|with|to|versus|vs\.?)\s+(.+?)\s+(?:treat|handle|address|approach|deal with|cover|describe|talk about|say about)\s+(.+?)\s*\??$/i.exec(q))) {
    return { sides: twoSides(m[1]!, m[2]!), topic: cleanTopic(m[3]!) };
  }
  // how do X and Y differ (on Z) / how does X differ from Y (on Z)
  if ((m = /\bhow\s+(?:do|does|did)\s+(.+?)\s+and\s+(.+?)\s+(?:differ|compare|vary)\b(.*)$/i.exec(q))) {
    const t = splitTopic(`x${m[3]!}`);
    return { sides: twoSides(m[1]!, m[2]!), topic: t.topic };
  }
  if ((m = /\bhow\s+(?:do|does|did)\s+(.+?)\s+(?:differ|compare|vary|change)\s+(?:from|with|to|against)\s+(.+?)\s*\??$/i.exec(q))) {
    const t = splitTopic(m[2]!);
    return { sides: twoSides(m[1]!, t.side), topic: t.topic };
  }
  // difference(s) between X and Y (on Z); what changed between X and Y; changes from X to Y
  if ((m = /\b(?:differences?|changes?|changed|contrast|distinctions?|evolved|evolution|shift(?:ed)?|moved?)\b.*?\bbetween\s+(.+?)\s+and\s+(.+?)\s*\??$/i.exec(q))) {
    const t = splitTopic(m[2]!);
    return { sides: twoSides(m[1]!, t.side), topic: t.topic };
  }
  if ((m = /\b(?:differences?|changes?|changed|evolved|shift(?:ed)?|moved?|go|went)\b.*?\bfrom\s+(.+?)\s+to\s+(.+?)\s*\??$/i.exec(q))) {
    const t = splitTopic(m[2]!);
    return { sides: twoSides(m[1]!, t.side), topic: t.topic };
  }
  // compare X and/with/to Y (on Z); X compared with Y
  if ((m = /\bcompare(?:d)?\s+(?:the\s+)?(.+?)\s+(?:and|with|to|against|versus|vs\.?)\s+(.+?)\s*\??$/i.exec(q))) {
    const t = splitTopic(m[2]!);
    return { sides: twoSides(m[1]!, t.side), topic: t.topic };
  }
  if ((m = /^(?:.*?\b(?:is|was|does)\s+)?(.+?)\s+(?:compared (?:to|with)|versus|vs\.?|as opposed to|relative to)\s+(.+?)\s*\??$/i.exec(q))) {
    const t = splitTopic(m[2]!);
    return { sides: twoSides(m[1]!, t.side), topic: t.topic };
  }
  // how does X differ from Y on Z (with the topic first): covered above. One side only:
  // "what changed in the 2023 revision", "what's new in the revised policy", "what is different about X".
  if ((m = /\b(?:what(?:'s| is| has)?|how (?:has|have|did))\s+(?:\w+\s+)?(?:changed|change|new|different|differs?|updated)\s+(?:in|about|with|under|since|for)\s+(.+?)\s*\??$/i.exec(q))) {
    const t = splitTopic(m[1]!);
    return { sides: [sideOf(t.side)], topic: t.topic };
  }
  if ((m = /\bwhat\s+(?:changed|changes|is different|was changed)\b(.*)$/i.exec(q))) {
    const t = splitTopic(`x${m[1]!}`);
    return { sides: [], topic: t.topic };
  }
  if ((m = /\bhow\s+(?:has|have|did)\s+(.+?)\s+(?:changed|change|evolved|evolve|shifted|shift)\b(.*)$/i.exec(q))) {
    return { sides: [], topic: cleanTopic(m[1]!) };
  }
  return null;
}

/** The kind of question, with its status reading or comparison sides. */
export function readKind(text: string): {
  kind: QueryKind;
  status?: { asks: StatusAsk; subject: string | null };
  comparison?: { sides: ComparisonSide[]; topic: string | null };
} {
  const comparison = readComparison(text);
  if (comparison) return { kind: 'comparison', comparison };
  const status = readStatus(text);
  if (status) return { kind: 'status', status };
  return { kind: 'lookup' };
}
