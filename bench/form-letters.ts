/**
 * A generator of real-length public comments for campaign grouping: form letters as campaigns
 * send them (each copy with another greeting and signature, a paraphrased intro, reordered
 * sentences, a few words changed, often a personal paragraph of the sender's own), and distinct
 * comments written from the same policy vocabulary (hard negatives: same phrases, other
 * combinations). Lengths as on real dockets: median about 600 characters, a long tail, and some
 * letters above 20,000 characters (detailed organisational comments, long personal testimony).
 *
 * Deterministic for a seed. Used by bench/dedupe-threshold.ts, bench/import-throughput.ts and
 * the campaign tests (small dockets).
 */
import { rng } from './lib.ts';

export interface GeneratedComment {
  text: string;
  /** Campaign index, or -1 - i for a distinct comment: the truth the grouping is scored against. */
  group: number;
}

const FIRST = ['Maria', 'James', 'Aisha', 'Chen', 'Olga', 'Daniel', 'Priya', 'Tomás', 'Fatima', 'John', 'Emily', 'Kwame', 'Sofia', 'Liam', 'Yuki', 'Noah', 'Grace', 'Omar', 'Elena', 'Samuel'];
const LAST = ['Garcia', 'Smith', 'Okafor', 'Wei', 'Petrova', 'Cohen', 'Patel', 'Alvarez', 'Haddad', 'Brown', 'Nguyen', 'Mensah', 'Rossi', 'Murphy', 'Tanaka', 'Schmidt', 'Johnson', 'Kowalski'];
const CITIES = ['Portland, OR', 'Austin, TX', 'Dayton, OH', 'Tucson, AZ', 'Madison, WI', 'Raleigh, NC', 'Boise, ID', 'Albany, NY', 'Fresno, CA', 'Duluth, MN'];
const GREETINGS = ['Dear Assistant Secretary,', 'To whom it may concern:', 'Dear Secretary,', 'Hello,', 'Dear Directorate of Defense Trade Controls,', 'Dear officials,', ''];
const CLOSINGS = ['Sincerely,', 'Respectfully,', 'Regards,', 'Thank you,', 'Best regards,', 'Respectfully submitted,'];

const TOPICS = [
  ['human rights safeguards', 'civilian harm', 'end-use monitoring', 'arms transfers to abusive governments'],
  ['export license delays', 'small manufacturers', 'predictable timelines', 'the defense supply chain'],
  ['armed drone exports', 'the Missile Technology Control Regime', 'targeted killings', 'the presumption of denial'],
  ['transfers to allies in the Indo-Pacific', 'deterrence', 'interoperability', 'strategic competitors'],
  ['research universities', 'deemed exports', 'the fundamental research exclusion', 'foreign graduate students'],
  ['public reporting', 'transparency of approved sales', 'congressional notification', 'end-use violations'],
  ['gender-based violence', 'small arms', 'conflict zones', 'civil society consultation'],
  ['firearms exports', 'oversight of commercial sales', 'trafficking to criminal groups', 'notification thresholds'],
];

const VERBS = ['urge', 'ask', 'call on', 'implore', 'request', 'encourage'];
const NOUNS = ['the Department', 'the State Department', 'the Administration', 'the review office', 'policymakers'];
const ADJ = ['serious', 'urgent', 'growing', 'well-documented', 'lasting', 'avoidable'];

/** One sentence about a topic term, drawn from patterns: campaigns and distinct comments share these phrases. */
function sentence(r: () => number, terms: string[]): string {
  const p = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const t = p(terms);
  const u = p(terms);
  const patterns = [
    () => `I ${p(VERBS)} ${p(NOUNS)} to give ${t} the weight it deserves in every decision.`,
    () => `The ${p(ADJ)} problems with ${t} have been known for years, and ${u} makes them worse.`,
    () => `Please publish clear rules on ${t}, with examples, so that everyone can follow them.`,
    () => `Decisions about ${t} should be reviewed by an independent office and reported to Congress.`,
    () => `Our experience with ${t} shows that ${u} cannot be an afterthought.`,
    () => `Any change to ${t} must come with public data on ${u}.`,
    () => `The current approach to ${t} serves neither our security nor our values.`,
    () => `We have seen ${p(ADJ)} consequences when ${t} was ignored in favor of speed.`,
    () => `A policy that treats ${t} seriously would also strengthen ${u}.`,
    () => `I am concerned that ${p(NOUNS)} underestimates the ${p(ADJ)} risks of ${t}.`,
    () => `Clear deadlines for ${t} would help companies, universities and partners plan.`,
    () => `Congress has asked for better information on ${t} more than once.`,
  ];
  const s = p(patterns)();
  return r() < 0.6 ? `${s.slice(0, -1)} ${p(REASONS)}.` : s;
}

const REASONS = [
  'because partners are watching', 'since the stakes are high', 'given recent conflicts', 'to keep public trust', 'for the sake of our workers',
  'as other suppliers move faster', 'to prevent atrocities', 'to protect research', 'because the law requires it', 'to avoid mistakes of the past',
  'while there is still time', 'as the record of the last decade shows', 'in the interest of taxpayers', 'before the next crisis',
];
const SUBJECTS = [
  'the Department', 'the interagency review', 'the proposal', 'Congress', 'the licensing office', 'our government', 'the United States',
  'the Directorate of Defense Trade Controls', 'every embassy', 'the review board', 'industry', 'civil society', 'the final rule', 'the agency',
];
const ACTIONS = [
  'should weigh', 'must account for', 'ought to consider', 'needs to explain', 'should publish data on', 'should reconsider', 'has ignored',
  'could do more about', 'underestimates', 'should set deadlines for', 'has rightly prioritized', 'keeps postponing work on', 'misreads', 'should measure',
];

/** A sentence in the commenter's own words: slots from a large space, so two such comments rarely share one. */
function ownSentence(r: () => number): string {
  const p = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const terms = TOPICS.flat();
  const s = `${p(SUBJECTS)} ${p(ACTIONS)} ${p(terms)} ${p(REASONS)}.`;
  return s[0]!.toUpperCase() + s.slice(1);
}

const PERSONAL = [
  'I am a veteran and I have seen what these weapons do to the people who live where wars are fought.',
  'My family fled a war where imported weapons were used against our neighbours, and I still remember the sound of it.',
  'I teach high school history, and every year my students ask me who decides where our weapons go.',
  'As a nurse I have treated people injured by explosive weapons, and I cannot forget their faces.',
  'I have worked in this industry for twenty years and I am proud of what we build for our partners.',
  'My church has discussed this issue for months, and we agreed that each of us would write.',
  'I live near a plant that makes these parts; half my street works there.',
  'My daughter studies engineering at a state university and works on a project with students from abroad.',
  'I grew up in a country where the police used imported rifles against students.',
  'Our small company lost a contract last year because a license took nine months.',
];

function personalParagraph(r: () => number, sentences: number): string {
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) {
    const roll = r();
    // Long testimony is in the sender's own words; a short paragraph often borrows a stock line.
    out.push(roll < (sentences > 10 ? 0.03 : 0.5) ? PERSONAL[Math.floor(r() * PERSONAL.length)]! : roll < 0.7 ? ownSentence(r) : sentence(r, TOPICS[Math.floor(r() * TOPICS.length)]!));
  }
  return [...new Set(out)].join(' ');
}

function signature(r: () => number): string {
  const p = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const lines = [p(CLOSINGS), `${p(FIRST)} ${p(LAST)}`];
  if (r() < 0.6) lines.push(p(CITIES));
  return lines.join('\n');
}

interface Template {
  intros: string[];
  body: string[];
}

function makeTemplate(r: () => number, g: number, long: boolean): Template {
  const terms = TOPICS[g % TOPICS.length]!;
  const topic = terms[0]!;
  const intros = [
    `I am writing about the proposed changes to ${topic}.`,
    `I write to comment on the proposal as it concerns ${topic}.`,
    `Please accept this comment on ${topic} in the proposed rule.`,
    `This letter concerns what the proposal does to ${topic}.`,
  ];
  const n = long ? 30 + Math.floor(r() * 30) : 3 + Math.floor(r() * 4);
  const body = new Set<string>();
  // A long letter (an organisation's detailed comment) argues in its own words, not in stock lines.
  while (body.size < n) body.add(long && r() < 0.7 ? ownSentence(r) : sentence(r, terms));
  return { intros, body: [...body] };
}

const SWAPS: Array<[RegExp, string[]]> = [
  [/\burge\b/, ['ask', 'call on']],
  [/\bPlease\b/, ['I ask you to', 'Kindly']],
  [/\bmust\b/, ['should', 'needs to']],
  [/\bclear\b/, ['simple', 'plain']],
  [/\bserious\b/, ['grave', 'real']],
  [/\bpublic\b/, ['open', 'published']],
];

function copyOf(r: () => number, t: Template, personal: number): string {
  const p = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  let body = [...t.body];
  // Small edits: a word or two changed, sometimes a sentence dropped, sentences often reordered.
  for (let e = Math.floor(r() * 3); e > 0; e--) {
    const k = Math.floor(r() * body.length);
    const [re, alts] = p(SWAPS);
    body[k] = body[k]!.replace(re, p(alts));
  }
  if (r() < 0.2 && body.length > 4) body.splice(Math.floor(r() * body.length), 1);
  if (r() < 0.4) {
    for (let i = body.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [body[i], body[j]] = [body[j]!, body[i]!];
    }
  }
  // Long letters come in paragraphs of five sentences.
  const paragraphs: string[] = [];
  const per = body.length > 10 ? 5 : body.length;
  for (let i = 0; i < body.length; i += per) paragraphs.push(body.slice(i, i + per).join(' '));
  paragraphs[0] = `${p(t.intros)} ${paragraphs[0]}`;
  if (personal > 0) paragraphs.splice(r() < 0.5 ? 0 : paragraphs.length, 0, personalParagraph(r, personal));
  body = paragraphs;
  return [p(GREETINGS), ...body, signature(r)].filter(Boolean).join('\n\n');
}

function distinct(r: () => number, i: number, sentences: number): string {
  const p = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const out: string[] = [];
  const terms = [...p(TOPICS), ...p(TOPICS)];
  for (let k = 0; k < sentences; k++) {
    const roll = r();
    out.push(roll < 0.1 ? p(PERSONAL) : roll < 0.25 ? sentence(r, terms) : ownSentence(r));
  }
  const paragraphs: string[] = [];
  const uniq = [...new Set(out)];
  for (let k = 0; k < uniq.length; k += 5) paragraphs.push(uniq.slice(k, k + 5).join(' '));
  return [p(GREETINGS), `Comment ${i + 1}.`, ...paragraphs, signature(r)].filter(Boolean).join('\n\n');
}

/**
 * `count` comments, shuffled: about 60% copies of `campaigns` form letters (one in six of the
 * letters long, 2,500-6,000 characters; copies of a few carry long personal testimony that takes
 * them past 20,000), the rest distinct comments of 1-9 sentences, 1.5% of them long (20,000-40,000 characters).
 */
export function formLetterDocket(count: number, options: { seed?: number; campaigns?: number; campaignShare?: number } = {}): GeneratedComment[] {
  const r = rng(options.seed ?? 17);
  const campaigns = options.campaigns ?? Math.max(2, Math.round(count / 60));
  const share = options.campaignShare ?? 0.6;
  const templates = Array.from({ length: campaigns }, (_, g) => makeTemplate(r, g, g % 6 === 5));
  const out: GeneratedComment[] = [];
  for (let i = 0; i < count; i++) {
    if (r() < share) {
      // Campaign sizes follow a long tail: a few large campaigns, many small ones.
      const g = Math.min(campaigns - 1, Math.floor(campaigns * r() ** 2));
      const roll = r();
      const personal = roll < 0.55 ? 0 : roll < 0.85 ? 1 + Math.floor(r() * 2) : roll < 0.995 ? 3 + Math.floor(r() * 3) : 220 + Math.floor(r() * 100);
      out.push({ text: copyOf(r, templates[g]!, personal), group: g });
    } else {
      const roll = r();
      const n = roll < 0.985 ? 1 + Math.floor(r() * 9) : 230 + Math.floor(r() * 170);
      out.push({ text: distinct(r, i, n), group: -1 - i });
    }
  }
  return out;
}

export function lengthStats(docket: readonly GeneratedComment[]): { median: number; p90: number; max: number; over20k: number } {
  const lengths = docket.map((c) => c.text.length).sort((a, b) => a - b);
  return {
    median: lengths[Math.floor(lengths.length / 2)] ?? 0,
    p90: lengths[Math.floor(lengths.length * 0.9)] ?? 0,
    max: lengths.at(-1) ?? 0,
    over20k: lengths.filter((n) => n > 20_000).length,
  };
}
