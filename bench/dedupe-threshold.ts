/**
 * The near-duplicate threshold (COMMENT_NEAR_DUPLICATE_THRESHOLD): how well pg_trgm similarity of
 * the normalised comment text separates campaign copies from distinct comments.
 *   npx tsx bench/dedupe-threshold.ts [--seed 11]
 *
 * Campaigns: letter templates, each sent by many people with the edits real campaigns show:
 * another name and signature block, another greeting, a few words changed, a typo, a sentence
 * dropped, sentences reordered, a personal sentence or a personal paragraph added.
 * Distinct comments: written from the same vocabulary (sentence patterns with varied slots), so
 * they share words and phrases with each other and with the campaigns: hard negatives.
 *
 * Prints precision/recall/F1 of "same campaign" over all pairs at several thresholds, then the
 * same through the real pipeline (submitComment → assignCampaign: the best match's campaign, and
 * lone copies swept in) for a few thresholds, where chaining could merge groups.
 *
 * The pipeline now finds near-duplicate candidates through MinHash/LSH bands (src/comments/minhash.ts)
 * and checks them by 25% shared 5-word shingles, then this similarity; a comment joins an existing
 * campaign only if the campaign's representative holds 25% of its 5-word shingles. Measured
 * 2026-12-07 (2-core EPYC, PGlite, load average ~12 from other work), pipeline at 0.60: seed 11
 * precision 99.5%, recall 96.6%; seed 5: 99.7% / 97.5% (the all-pairs `%` path: 99.0% / 96.6%).
 * Real-length form letters: bench/import-throughput.ts.
 *
 * Measured 2026-11 (2-core EPYC, PGlite), all-pairs trigram pipeline, seed 11 / seed 5:
 *   0.55  precision 95.4% / 87.9%  recall 100% / 100%
 *   0.60  precision 99.0% / 99.3%  recall 96.6% / 97.5%   <- the default
 *   0.65  precision 99.9% / 100%   recall 86.9% / 89.9%
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { BUNDLED_CORPUS_DIR } from '../ingest/pipeline.ts';
import { loadConfig } from '../src/config.ts';
import { VERIFY_SHINGLE_WORDS, dedupeTextOf } from '../src/comments/dedupe.ts';
import { shingleHashes } from '../src/comments/minhash.ts';
import { submitComment } from '../src/comments/queue.ts';
import { openDb } from '../src/db/index.ts';
import { machine, rng } from './lib.ts';

const seedArg = process.argv.indexOf('--seed');
const SEED = seedArg > 0 ? Number(process.argv[seedArg + 1]) : 11;
const rand = rng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const chance = (p: number) => rand() < p;
function shuffle<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

const FIRST = ['Maria', 'James', 'Aisha', 'Chen', 'Olga', 'Daniel', 'Priya', 'Tomás', 'Fatima', 'John', 'Emily', 'Kwame', 'Sofia', 'Liam', 'Yuki', 'Noah'];
const LAST = ['Garcia', 'Smith', 'Okafor', 'Wei', 'Petrova', 'Cohen', 'Patel', 'Alvarez', 'Haddad', 'Brown', 'Nguyen', 'Mensah', 'Rossi', 'Murphy', 'Tanaka', 'Schmidt'];
const CITIES = ['Portland, OR', 'Austin, TX', 'Dayton, OH', 'Tucson, AZ', 'Madison, WI', 'Raleigh, NC', 'Boise, ID', 'Albany, NY'];
const GREETINGS = ['Dear Assistant Secretary,', 'To whom it may concern:', 'Dear Policy Desk team,', 'Hello,', 'Dear colleagues,', ''];
const CLOSINGS = ['Sincerely,', 'Respectfully,', 'Regards,', 'Thank you,', 'Best regards,'];

function signature(): string {
  const name = `${pick(FIRST)} ${pick(LAST)}`;
  const lines = [pick(CLOSINGS), name];
  if (chance(0.5)) lines.push(pick(CITIES));
  if (chance(0.3)) lines.push(`${pick(['Member', 'Volunteer', 'Supporter'])}, ${pick(['Peace Action Network', 'Faith Coalition for Arms Restraint', 'Citizens for Responsible Trade'])}`);
  return lines.join('\n');
}

// Campaign letters: what organized campaigns send, each a handful of sentences.
const TEMPLATES: string[][] = [
  [
    'I am writing to urge the Department to strengthen human rights safeguards in the conventional arms transfer policy.',
    'Arms sold to governments with records of abuse have been used against civilians.',
    'The policy should deny transfers when it is more likely than not that the weapons will be used to commit serious violations of international humanitarian law.',
    'End-use monitoring must be funded and its results reported to Congress.',
    'Please put the protection of civilians at the center of every decision.',
  ],
  [
    'As a small manufacturer in the defense supply chain, I ask you to speed up export license reviews.',
    'Delays of six months or more cost us contracts to foreign competitors.',
    'Clear timelines and a single point of contact for each case would help companies like mine plan production.',
    'Predictable decisions support American jobs and our partners alike.',
  ],
  [
    'Please do not loosen controls on armed drones under the Missile Technology Control Regime.',
    'Treating unmanned aircraft like ordinary fighter jets ignores how easily they are used for targeted killings.',
    'The strong presumption of denial for Category I systems has served our security well.',
    'Any change should come with public reporting of every drone export.',
  ],
  [
    'I support arms transfers that strengthen our allies against strategic competitors.',
    'Partners in the Indo-Pacific need capabilities that deter aggression now, not in ten years.',
    'The review process should give priority to cases that build interoperability with our forces.',
    'Competitors do not wait for our paperwork, and neither should our friends.',
  ],
  [
    'I oppose the sale of offensive weapons to governments fighting wars that kill civilians.',
    'Bombs made in America have struck schools, markets and hospitals.',
    'The United States should suspend such sales until independent investigations are complete.',
    'Congress must be notified of every sale and given time to block it.',
    'Our laws already require this; the policy should say so plainly.',
  ],
  [
    'The ITAR registration and licensing rules are too complex for universities doing basic research.',
    'Foreign graduate students are turned away from projects because of deemed export concerns.',
    'Please publish clear guidance on the fundamental research exclusion with examples.',
    'A help desk that answers questions within a week would reduce accidental violations.',
  ],
  [
    'Transparency is the best safeguard against misuse of American weapons.',
    'Please publish an annual report listing every approved transfer, its value and its recipient.',
    'Reports on end-use violations should be public unless disclosure would endanger lives.',
    'Citizens have a right to know what is sold in their name.',
  ],
  [
    'I ask the Department to consider gender-based violence in every arms transfer decision.',
    'Small arms fuel violence against women and girls in conflict zones and at home.',
    'The risk assessment should ask specifically whether weapons could facilitate such violence.',
    'Civil society groups on the ground should be consulted before decisions are made.',
  ],
  [
    'Financing tools for partner purchases are too slow and too small.',
    'Foreign military financing should be paired with loan guarantees so partners can buy American systems.',
    'Otherwise they will turn to suppliers who offer easier terms and fewer conditions.',
    'Co-production agreements can strengthen the defense industrial base at home as well.',
  ],
  [
    'Please keep strong controls on the export of firearms and ammunition.',
    'Moving commercial firearms exports to a different licensing agency weakened oversight.',
    'Guns sold abroad have been trafficked to criminal groups and used in atrocities.',
    'Congressional notification thresholds for firearms should be restored.',
  ],
];

const SYNONYMS: Array<[RegExp, string[]]> = [
  [/\burge\b/, ['ask', 'call on', 'implore']],
  [/\bstrengthen\b/, ['reinforce', 'improve', 'tighten']],
  [/\bcivilians\b/, ['innocent people', 'non-combatants', 'ordinary people']],
  [/\bPlease\b/, ['I ask you to', 'Kindly', 'I urge you to']],
  [/\bpolicy\b/, ['new policy', 'CAT policy', 'rules']],
  [/\bmust\b/, ['should', 'needs to']],
  [/\bweapons\b/, ['arms', 'weaponry']],
  [/\bclear\b/, ['simple', 'plain']],
  [/\bsupport\b/, ['back', 'favor']],
  [/\bDepartment\b/, ['State Department', 'Department of State']],
];

const PERSONAL_SENTENCES = [
  'I am a veteran and I have seen what these weapons do.',
  'My family fled a war where American-made weapons were used.',
  'I teach high school history and my students ask me about this every year.',
  'As a nurse I have treated people injured by explosive weapons.',
  'I have worked in this industry for twenty years.',
  'My church has discussed this issue for months.',
  'I live near a plant that makes these parts.',
];
const PERSONAL_PARAGRAPHS = [
  'Let me add something personal. My brother served two tours overseas and came home convinced that the weapons we sell are too often turned on the very people we say we protect. He asked me to write this letter because he no longer trusts that anyone reads them. Please prove him wrong.',
  'I want to explain why this matters to me. Our town depends on the plant down the road, and every delayed license means overtime cancelled and young workers laid off. We build good equipment for good partners, and we ask only that the government decide on time.',
  'I should say where I come from. I grew up in a country where the police used imported rifles against students, and I remember the funerals. When I read the policy I think of those families, and I hope you will too.',
];

function typo(s: string): string {
  const words = s.split(' ');
  const i = Math.floor(rand() * words.length);
  const w = words[i]!;
  if (w.length > 4) {
    const j = 1 + Math.floor(rand() * (w.length - 2));
    words[i] = w.slice(0, j) + w[j + 1] + w[j] + w.slice(j + 2);
  }
  return words.join(' ');
}

function campaignVariant(template: string[]): string {
  let sentences = [...template];
  // Small edits: synonyms and typos.
  const edits = Math.floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    const [re, alts] = pick(SYNONYMS);
    const k = Math.floor(rand() * sentences.length);
    sentences[k] = sentences[k]!.replace(re, pick(alts));
  }
  if (chance(0.3)) {
    const k = Math.floor(rand() * sentences.length);
    sentences[k] = typo(sentences[k]!);
  }
  if (chance(0.25) && sentences.length > 3) sentences.splice(Math.floor(rand() * sentences.length), 1);
  if (chance(0.4)) sentences = shuffle(sentences);
  if (chance(0.4)) sentences.splice(Math.floor(rand() * (sentences.length + 1)), 0, pick(PERSONAL_SENTENCES));
  const paragraphs = [sentences.join(' ')];
  if (chance(0.15)) paragraphs.push(pick(PERSONAL_PARAGRAPHS));
  const greeting = pick(GREETINGS);
  return [greeting, ...paragraphs, signature()].filter(Boolean).join('\n\n');
}

// Distinct comments: sentence patterns with slots, drawn from the same policy vocabulary.
const SUBJECTS = [
  'the Department', 'the interagency review', 'the policy', 'Congress', 'the licensing office', 'our government', 'the United States',
  'the Directorate of Defense Trade Controls', 'every embassy', 'the review board', 'industry', 'civil society',
];
const ACTIONS = [
  'should weigh', 'must account for', 'ought to consider', 'needs to explain', 'should publish data on', 'should reconsider', 'has ignored',
  'could do more about', 'underestimates', 'should set deadlines for', 'has rightly prioritized', 'keeps postponing work on',
];
const OBJECTS = [
  'the risk of civilian harm', 'license processing times', 'the strength of the defense industrial base', 'end-use monitoring results',
  'the Missile Technology Control Regime', 'human rights records of recipients', 'competition with China and Russia', 'deemed export rules',
  'congressional notification thresholds', 'the cost of delays to small businesses', 'transfers of armed drones', 'firearms exports',
  'security cooperation with Indo-Pacific partners', 'international humanitarian law', 'foreign military financing', 'retransfer violations',
];
const REASONS = [
  'because partners are watching', 'since the stakes are high', 'given recent conflicts', 'to keep public trust', 'for the sake of our workers',
  'as other suppliers move faster', 'to prevent atrocities', 'to protect research', 'because the law requires it', 'to avoid mistakes of the past',
];
const OPENERS = [
  'My comment concerns', 'I would like to comment on', 'Regarding', 'I have concerns about', 'I write about', 'Please consider my views on',
];

/** Sentences of the bundled policy corpus: commenters quote the policy, so distinct comments share these. */
const CORPUS_SENTENCES: string[] = [];
for (const f of (await readdir(BUNDLED_CORPUS_DIR)).filter((f) => f.endsWith('.txt'))) {
  const text = (await readFile(path.join(BUNDLED_CORPUS_DIR, f), 'utf8')).replace(/\s+/g, ' ');
  for (const sentence of text.split(/(?<=[.!?])\s+(?=[A-Z])/)) if (sentence.length > 60 && sentence.length < 300) CORPUS_SENTENCES.push(sentence);
}

const OWN_VIEWS = [
  'I do not think the current approach works for anyone.',
  'Our organization has followed this issue since 2013.',
  'The last revision was a step in the right direction, but implementation lags.',
  'It is hard for the public to follow how these decisions are made.',
  'We have submitted detailed data in the attached annex.',
  'Exporters need a reliable timeline more than anything else.',
  'The humanitarian consequences are too often an afterthought.',
  'Allies notice when decisions drag on for a year.',
  'Universities are not arms dealers and should not be treated as such.',
  'The regional balance of power matters as much as any single sale.',
  'I would welcome a public meeting on these questions.',
  'Training and maintenance packages are as important as the hardware.',
  'A clear appeals process would reduce frustration on all sides.',
  'These rules were written for a different era of technology.',
  'Please publish the criteria you apply, not only the outcomes.',
];

/**
 * A distinct comment, one of three kinds: slot-filled sentences from the shared vocabulary
 * (hardest: same phrases, different combinations), a comment quoting one or two policy sentences
 * with its own views around them, or a short note of own views.
 */
function distinctComment(i: number): string {
  const sentences = [`${pick(OPENERS)} ${pick(OBJECTS)}.`];
  const slot = () => {
    const s = `${pick(SUBJECTS)} ${pick(ACTIONS)} ${pick(OBJECTS)} ${pick(REASONS)}.`;
    return s[0]!.toUpperCase() + s.slice(1);
  };
  const kind = i % 3;
  if (kind === 0) for (let k = 0, n = 3 + Math.floor(rand() * 5); k < n; k++) sentences.push(slot());
  if (kind === 1) {
    sentences.push(`The policy says: "${pick(CORPUS_SENTENCES)}"`);
    if (chance(0.5)) sentences.push(`It also says: "${pick(CORPUS_SENTENCES)}"`);
    for (let k = 0, n = 2 + Math.floor(rand() * 3); k < n; k++) sentences.push(chance(0.5) ? pick(OWN_VIEWS) : slot());
  }
  if (kind === 2) for (let k = 0, n = 2 + Math.floor(rand() * 3); k < n; k++) sentences.push(pick(OWN_VIEWS));
  if (chance(0.3)) sentences.push(pick(PERSONAL_SENTENCES));
  return [pick(GREETINGS), [...new Set(sentences)].join(' '), signature()].filter(Boolean).join('\n\n');
}

const VARIANTS_PER_TEMPLATE = 15;
const DISTINCT = 150;
interface Item {
  text: string;
  group: number; // campaign index, or -1 - i for a distinct comment
}
const items: Item[] = [];
for (const [g, t] of TEMPLATES.entries()) for (let i = 0; i < VARIANTS_PER_TEMPLATE; i++) items.push({ text: campaignVariant(t), group: g });
for (let i = 0; i < DISTINCT; i++) items.push({ text: distinctComment(i), group: -1 - i });
const ordered = shuffle(items);

const config = { ...loadConfig({}), databaseUrl: undefined };
const db = await openDb(config, { inMemory: true });

// Pairwise similarities of the normalised texts, computed by pg_trgm itself.
const texts = ordered.map((it) => dedupeTextOf({ text: it.text }));
const sims = await db.query<{ i: number; j: number; s: number }>(
  `SELECT a.i::int AS i, b.i::int AS j, similarity(a.t, b.t)::float8 AS s
     FROM unnest($1::text[]) WITH ORDINALITY AS a(t, i)
     JOIN unnest($1::text[]) WITH ORDINALITY AS b(t, i) ON a.i < b.i`,
  [texts],
);
const same = (i: number, j: number) => ordered[i - 1]!.group === ordered[j - 1]!.group;
const positives = sims.filter((r) => same(r.i, r.j));
const exactPairs = sims.filter((r) => texts[r.i - 1] === texts[r.j - 1]).length;

console.log(`Near-duplicate threshold, pg_trgm similarity of normalised text (seed ${SEED}; ${machine()})`);
console.log(
  `${TEMPLATES.length} campaigns x ${VARIANTS_PER_TEMPLATE} variants + ${DISTINCT} distinct comments = ${ordered.length} comments; ` +
    `${sims.length} pairs, ${positives.length} same-campaign pairs (${exactPairs} identical after normalisation).`,
);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(7);
const posSims = positives.map((r) => r.s).sort((a, b) => a - b);
const negSims = sims.filter((r) => !same(r.i, r.j)).map((r) => r.s).sort((a, b) => a - b);
const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(3);
console.log(
  `same-campaign similarity: min ${q(posSims, 0)}, 5th pct ${q(posSims, 0.05)}, median ${q(posSims, 0.5)}; ` +
    `different: median ${q(negSims, 0.5)}, 99.9th pct ${q(negSims, 0.999)}, max ${q(negSims, 1 - 1e-9)}`,
);
// The pipeline's first check: shared word shingles (Jaccard of the shingle sets), 3 and 5 words.
const shingleSets = (w: number) => texts.map((t) => new Set(shingleHashes(t, w)));
for (const w of [3, VERIFY_SHINGLE_WORDS]) {
  const sets = shingleSets(w);
  const jac = (i: number, j: number) => {
    const a = sets[i - 1]!;
    const b = sets[j - 1]!;
    let both = 0;
    for (const h of a) if (b.has(h)) both++;
    return both / (a.size + b.size - both || 1);
  };
  const pos = positives.map((r) => jac(r.i, r.j)).sort((a, b) => a - b);
  const neg = sims.filter((r) => !same(r.i, r.j)).map((r) => jac(r.i, r.j)).sort((a, b) => a - b);
  console.log(
    `${w}-word shingle Jaccard: same campaign 5th pct ${q(pos, 0.05)}, 10th ${q(pos, 0.1)}, median ${q(pos, 0.5)}; ` +
      `different: 99.9th pct ${q(neg, 0.999)}, max ${q(neg, 1 - 1e-9)}`,
  );
}
console.log('\nPairs:');
console.log('threshold  precision  recall     F1      false+  false-');
for (const t of [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9]) {
  let tp = 0;
  let fp = 0;
  for (const r of sims) {
    if (r.s >= t) {
      if (same(r.i, r.j)) tp++;
      else fp++;
    }
  }
  const fn = positives.length - tp;
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp / positives.length;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  console.log(`${t.toFixed(2).padEnd(11)}${pct(precision)}    ${pct(recall)}  ${pct(f1)}  ${String(fp).padStart(6)}  ${String(fn).padStart(6)}`);
}

console.log('\nThrough the pipeline (submitComment: best match joins its campaign, lone copies swept in; pairs counted by campaign membership):');
console.log('threshold  precision  recall     F1      campaigns  largest  time/comment');
const thresholdsArg = process.argv.indexOf('--pipeline');
const pipelineThresholds = thresholdsArg > 0 ? process.argv[thresholdsArg + 1]!.split(',').map(Number) : [0.5, 0.55, 0.6, 0.65];
for (const t of pipelineThresholds) {
  const pdb = await openDb(config, { inMemory: true });
  const deps = { db: pdb, config: { comments: { ...config.comments, nearDuplicateThreshold: t } }, logger: pino({ level: 'silent' }) };
  const started = performance.now();
  for (const it of ordered) {
    await submitComment(deps, {
      submitterName: 'Bench', organizationType: 'individual', consentToPublish: true, source: 'csv', text: it.text,
    });
  }
  const ms = (performance.now() - started) / ordered.length;
  const rows = await pdb.query<{ id: number; campaignId: string | null }>('SELECT id, campaign_id AS "campaignId" FROM comments ORDER BY id');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const together = rows[i]!.campaignId !== null && rows[i]!.campaignId === rows[j]!.campaignId;
      const truth = ordered[i]!.group === ordered[j]!.group;
      if (together && truth) tp++;
      else if (together) fp++;
      else if (truth) fn++;
    }
  }
  const sizes = await pdb.query<{ n: number; largest: number }>('SELECT count(*)::int AS n, coalesce(max(size), 0)::int AS largest FROM campaigns');
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp / (tp + fn);
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  console.log(
    `${t.toFixed(2).padEnd(11)}${pct(precision)}    ${pct(recall)}  ${pct(f1)}  ${String(sizes[0]!.n).padStart(9)}  ${String(sizes[0]!.largest).padStart(7)}  ${ms.toFixed(1)} ms`,
  );
  await pdb.close();
}
await db.close();
