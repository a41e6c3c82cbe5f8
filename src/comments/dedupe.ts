import { createHash, randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../db/types.ts';
import { actorLabel, requireStaff, type Actor } from './access.ts';
import type { CommentDeps } from './deps.ts';
import { BANDS, LSH_VERSION, ROWS, SHINGLE_WORDS, lshBands, shingleHashes } from './minhash.ts';
import { containment, jaccard, trigramSet } from './similarity.ts';

/**
 * Duplicates and mass-comment campaigns.
 *
 * Each comment carries `dedupe_text`: its title, text and attachment text with the greeting and
 * the signature block removed, lower-cased, punctuation folded to spaces. Two comments are
 * - exact duplicates when the SHA-256 of that text is equal (letters that differ only in who
 *   signed them are exact duplicates, as regulations.gov counts them), and
 * - near duplicates when they share MIN_SHINGLE_JACCARD of their 5-word shingles and pg_trgm
 *   `similarity()` of the two texts reaches the threshold (COMMENT_NEAR_DUPLICATE_THRESHOLD;
 *   bench/dedupe-threshold.ts measured the default).
 * Exact duplicates are a hash lookup (index on text_hash). Near-duplicate candidates are not
 * found by comparing with every earlier comment: each comment's MinHash signature is cut into
 * LSH bands stored in comment_lsh_bands (src/comments/minhash.ts), and the comments sharing a
 * band with it are its candidates, a bounded number of index probes whatever the docket's size.
 * The candidates are then checked exactly (shingles, then trigrams).
 * A new comment joins the campaign of its best match (creating the campaign when the match had
 * none) if it also resembles the campaign's representative (MIN_REPRESENTATIVE_CONTAINMENT), and
 * comments still alone that match it join as well, under the same check. Both measures are set
 * measures, so reordered sentences keep most of them.
 */

/** Below this many characters, equal texts ("I support this.") are not called a campaign. */
export const MIN_EXACT_CHARS = 20;
/** Trigram similarity of short texts swings with a single word; they are only compared exactly. */
export const MIN_NEAR_CHARS = 100;
/** Attachment text counted into dedupe_text: a campaign letter is short; its start identifies it. */
const ATTACHMENT_CHARS = 20_000;
const DEDUPE_TEXT_CHARS = 40_000;

const GREETING = /^\s*(?:dear\b|to whom it may concern|hello\b|hi\b|greetings\b|good (?:morning|afternoon)\b)[^\n]*\n/i;
const CLOSING =
  /^\s*(?:sincerely(?: yours)?|regards|best regards|kind regards|warm regards|respectfully(?: submitted| yours)?|thank you(?: for your consideration| for considering (?:my|our|these) comments?)?|thanks|best|cordially|yours truly|very truly yours|signed)\s*[,.!]?\s*$/im;

/** Removes the greeting line and everything from the closing ("Sincerely,") or the "-- " signature separator. */
export function stripSalutations(text: string): string {
  let t = text.replace(/\r\n?/g, '\n').replace(GREETING, '');
  const sep = t.search(/^-- ?$/m);
  if (sep >= 0) t = t.slice(0, sep);
  // The last closing line wins, and only in the second half: "Thank you" may open a letter too.
  let cut = -1;
  const re = new RegExp(CLOSING.source, 'gim');
  for (let m = re.exec(t); m; m = re.exec(t)) if (m.index >= t.length / 2) cut = m.index;
  if (cut >= 0) t = t.slice(0, cut);
  return t;
}

export function normalizeForDedupe(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function dedupeTextOf(parts: { title?: string | null; text: string; attachmentTexts?: Array<string | null> }): string {
  const attachments = (parts.attachmentTexts ?? []).filter(Boolean).join('\n').slice(0, ATTACHMENT_CHARS);
  const body = normalizeForDedupe(stripSalutations(parts.text));
  return normalizeForDedupe([parts.title ?? '', body, stripSalutations(attachments)].join('\n')).slice(0, DEDUPE_TEXT_CHARS);
}

export function textHash(dedupeText: string): string {
  return createHash('sha256').update(dedupeText).digest('hex');
}

/**
 * Postgres: campaign assignment runs one at a time, so two copies arriving together share one
 * campaign. The lock is per schema (its second key), because the campaigns are: stores in other
 * schemas of the same database (the test suite's, one per test file) never wait on each other.
 */
const CAMPAIGN_LOCK = 727_003;

/** SQL: the comment (a row of `comments`, or the alias given) has no attachment still waiting to be read. */
const complete = (alias = 'comments') =>
  `NOT EXISTS (SELECT 1 FROM comment_attachments pa WHERE pa.comment_id = ${alias}.id AND pa.pending)`;
const COMPLETE = complete();

/**
 * Near-duplicate candidates come from the LSH bands (src/comments/minhash.ts): per band key, the
 * earliest PER_BAND other comments with that key. A campaign of 10,000 copies therefore costs a new
 * copy at most BANDS x PER_BAND band rows, whatever the docket's size; its earliest members are
 * the campaign, and joining any of them joins it.
 */
const PER_BAND = 4;
/** Candidates checked exactly per comment, those sharing the most bands (the most similar, estimated) first. */
const CHECKED = 8;
/**
 * Near duplicates must also share this share of their word shingles of VERIFY_SHINGLE_WORDS words
 * (exact Jaccard of the two shingle sets), checked before the trigram similarity. Trigram sets, and
 * 3-word shingles too, of long texts written in one docket's vocabulary converge: two different
 * 25,000-character letters on arms exports share 95% of their trigrams and 30-45% of their 3-word
 * shingles ("should publish data", "the missile technology"), and chains of such matches made one
 * campaign of a hundred unrelated long letters. Shared runs of five words are rare between texts
 * that are not copies, while copies keep them (a changed word breaks only the five around it).
 * Measured by bench/dedupe-threshold.ts (short letters: same-campaign pairs median 0.47,
 * different pairs 99.9th percentile 0.29) and bench/import-throughput.ts (real-length letters:
 * unrelated 20,000+ character letters 0.20-0.23).
 */
export const VERIFY_SHINGLE_WORDS = 5;
export const MIN_SHINGLE_JACCARD = 0.25;
/**
 * A comment joins a campaign that already exists only if the campaign's representative (its first
 * member) also holds this share of its 5-word shingles (containment), not just its best match.
 * Without it, one copy of campaign B that matched a copy of campaign A on the same subject took A's
 * campaign, and every later copy of B followed it there. Containment, not Jaccard: a representative
 * with a long personal paragraph still holds the whole letter a copy shares with it.
 */
export const MIN_REPRESENTATIVE_CONTAINMENT = 0.25;
/**
 * ...and at least this share of what it shares with its match: a copy of B that matched a stray B
 * copy in A holds ~0.9 of it but 0.3-0.45 of A's representative. README "Campaign grouping at scale".
 */
export const MIN_REPRESENTATIVE_SHARE_OF_MATCH = 0.5;
/** Comments grouped per transaction by groupPending and regroupCampaigns. */
export const GROUP_BATCH = 500;

/** A short name for the near-duplicate method, for logs and benchmarks. */
export const NEAR_DUPLICATE_METHOD = `MinHash over ${SHINGLE_WORDS}-word shingles, ${BANDS} LSH bands of ${ROWS}, checked by ${Math.round(MIN_SHINGLE_JACCARD * 100)}% shared ${VERIFY_SHINGLE_WORDS}-word shingles and pg_trgm similarity`;

export interface CampaignMatch {
  campaignId: string;
  kind: 'exact' | 'near';
  matchedId: number;
  matchedTrackingNumber: string;
  similarity: number;
}

function newCampaignId(): string {
  return `cmp-${randomBytes(5).toString('hex')}`;
}

/**
 * Stores the LSH band keys of these comments (replacing any stored before, unless `fresh`: inserted
 * in this transaction) and marks them with LSH_VERSION. Texts shorter than MIN_NEAR_CHARS get none:
 * they are only compared exactly.
 */
export async function storeBands(tx: Queryable, rows: ReadonlyArray<{ id: number; dedupeText: string }>, fresh = false): Promise<void> {
  if (rows.length === 0) return;
  const ids = rows.map((r) => r.id);
  if (!fresh) await tx.query('DELETE FROM comment_lsh_bands WHERE comment_id = ANY($1::int[])', [ids]);
  const keys: number[] = [];
  const owners: number[] = [];
  for (const r of rows) {
    if (r.dedupeText.length < MIN_NEAR_CHARS) continue;
    for (const k of lshBands(r.dedupeText)) {
      keys.push(k);
      owners.push(r.id);
    }
  }
  if (keys.length) {
    await tx.query(
      'INSERT INTO comment_lsh_bands (band_key, comment_id) SELECT * FROM unnest($1::bigint[], $2::int[]) ON CONFLICT DO NOTHING',
      [keys, owners],
    );
  }
  await tx.query('UPDATE comments SET lsh_version = $2 WHERE id = ANY($1::int[])', [ids, LSH_VERSION]);
}

/**
 * Computes the bands of complete comments that have none (stored before migration 015, or whose
 * attachments were still being read), in batches. Returns how many it computed.
 */
export async function backfillBands(db: Db, batch = GROUP_BATCH): Promise<number> {
  let n = 0;
  for (;;) {
    const rows = await db.query<{ id: number; dedupeText: string }>(
      `SELECT id, dedupe_text AS "dedupeText" FROM comments WHERE lsh_version IS NULL AND ${COMPLETE} ORDER BY id LIMIT $1`,
      [batch],
    );
    if (rows.length === 0) return n;
    await db.transaction((tx) => storeBands(tx, rows));
    n += rows.length;
  }
}

interface Candidate {
  y: number;
  kind: 'exact' | 'near';
  similarity: number;
  campaignId: string | null;
  trackingNumber: string;
}

/**
 * Exact and near-duplicate candidates of each comment, checked: an exact duplicate (same hash;
 * one already in a campaign preferred unless `onlyEarlier`), and the near candidates from the
 * bands with their pg_trgm similarity (threshold not applied yet). `onlyEarlier` limits both to
 * comments stored before (lower id), which makes grouping replay arrival order: the result then
 * depends only on the comments and their order, never on how the work was cut into batches.
 */
interface Candidates {
  byComment: Map<number, Candidate[]>;
  /** The VERIFY_SHINGLE_WORDS shingle set of a comment, computed once; loads the texts it has not seen. */
  shinglesOf: (ids: number[]) => Promise<Map<number, Set<number>>>;
}

async function candidatesOf(tx: Queryable, ids: number[], onlyEarlier: boolean): Promise<Candidates> {
  // The exact match is looked up by hash; OFFSET 0 keeps the planner from walking the primary key in
  // id order instead ("ORDER BY id LIMIT 1"), which read every earlier comment: quadratic at 100,000.
  const other = (a: string, b: string) => (onlyEarlier ? `${a} < ${b}` : `${a} <> ${b}`);
  const exact = await tx.query<{ x: number; y: number; campaignId: string | null; trackingNumber: string }>(
    `SELECT b.id AS x, e.id AS y, e.campaign_id AS "campaignId", e.tracking_number AS "trackingNumber"
       FROM comments b
       CROSS JOIN LATERAL (
         SELECT c.id, c.campaign_id, c.tracking_number
           FROM (SELECT * FROM comments h WHERE h.text_hash = b.text_hash OFFSET 0) c
          WHERE ${other('c.id', 'b.id')} AND ${complete('c')}
          ORDER BY ${onlyEarlier ? '' : '(c.campaign_id IS NULL), '}c.id LIMIT 1) e
      WHERE b.id = ANY($1::int[]) AND length(b.dedupe_text) >= $2`,
    [ids, MIN_EXACT_CHARS],
  );
  // Candidates: the comments sharing the most bands, at most CHECKED per comment.
  const cand = await tx.query<{ x: number; y: number }>(
    `WITH cand AS (
       SELECT x.comment_id AS x, o.comment_id AS y, count(*) AS shared
         FROM comment_lsh_bands x
         CROSS JOIN LATERAL (
           SELECT b.comment_id FROM comment_lsh_bands b
            WHERE b.band_key = x.band_key AND ${other('b.comment_id', 'x.comment_id')}
            ORDER BY b.comment_id LIMIT $2) o
        WHERE x.comment_id = ANY($1::int[])
        GROUP BY 1, 2),
     ranked AS (SELECT x, y, row_number() OVER (PARTITION BY x ORDER BY shared DESC, y) AS rk FROM cand)
     SELECT x, y FROM ranked WHERE rk <= $3`,
    [ids, PER_BAND, CHECKED],
  );
  const out = new Map<number, Candidate[]>();
  const shingles = new Map<number, Set<number> | null>();
  const shinglesOf = async (want: number[]) => {
    const missing = [...new Set(want)].filter((id) => !shingles.has(id));
    if (missing.length) {
      const rows = await tx.query<{ id: number; text: string }>(
        'SELECT id, dedupe_text AS text FROM comments WHERE id = ANY($1::int[]) AND length(dedupe_text) >= $2',
        [missing, MIN_NEAR_CHARS],
      );
      for (const id of missing) shingles.set(id, null);
      for (const r of rows) shingles.set(r.id, new Set(shingleHashes(r.text, VERIFY_SHINGLE_WORDS)));
    }
    const got = new Map<number, Set<number>>();
    for (const id of want) {
      const set = shingles.get(id);
      if (set) got.set(id, set);
    }
    return got;
  };
  const add = (x: number, c: Candidate) => {
    const list = out.get(x);
    if (list) list.push(c);
    else out.set(x, [c]);
  };
  for (const e of exact) add(e.x, { y: e.y, kind: 'exact', similarity: 1, campaignId: e.campaignId, trackingNumber: e.trackingNumber });
  const result = { byComment: out, shinglesOf };
  if (cand.length === 0) return result;
  const involved = [...new Set(cand.flatMap((c) => [c.x, c.y]))];
  const texts = new Map(
    (
      await tx.query<{ id: number; text: string; campaignId: string | null; trackingNumber: string }>(
        `SELECT id, dedupe_text AS text, campaign_id AS "campaignId", tracking_number AS "trackingNumber"
           FROM comments WHERE id = ANY($1::int[]) AND length(dedupe_text) >= $2 AND ${COMPLETE}`,
        [involved, MIN_NEAR_CHARS],
      )
    ).map((r) => [r.id, r]),
  );
  // Trigram sets of long texts in one vocabulary converge (two different 20,000-character letters
  // on arms exports share most trigrams); 5-word shingles do not. A near duplicate needs both, and
  // the shingles are checked first: most candidates of a distinct comment fail there, cheaply.
  const setOf = (id: number) => {
    let set = shingles.get(id);
    if (!set) shingles.set(id, (set = new Set(shingleHashes(texts.get(id)!.text, VERIFY_SHINGLE_WORDS))));
    return set;
  };
  const passed = cand.filter((c) => {
    if (!texts.has(c.x) || !texts.has(c.y)) return false;
    return jaccard(setOf(c.x), setOf(c.y)) >= MIN_SHINGLE_JACCARD;
  });
  if (passed.length === 0) return result;
  // pg_trgm's similarity(), each text's trigram set built once (src/comments/similarity.ts).
  const trigrams = new Map<number, Set<number | string>>();
  const trigramsOf = (id: number) => {
    let set = trigrams.get(id);
    if (!set) trigrams.set(id, (set = trigramSet(texts.get(id)!.text)));
    return set;
  };
  for (const c of passed) {
    const y = texts.get(c.y)!;
    add(c.x, { y: c.y, kind: 'near', similarity: Math.fround(jaccard(trigramsOf(c.x), trigramsOf(c.y))), campaignId: y.campaignId, trackingNumber: y.trackingNumber });
  }
  return result;
}

/** What one grouping step writes: new campaigns, membership changes with their audit notes. */
interface Plan {
  campaigns: Array<{ id: string; representativeId: number }>;
  marks: Array<{ id: number; campaignId: string; kind: 'exact' | 'near' | null; similarity: number | null; note: string }>;
  matches: Map<number, CampaignMatch>;
}

const describe = (kind: 'exact' | 'near', similarity: number, of: string) =>
  kind === 'exact' ? `exact duplicate of ${of}` : `${Math.round(similarity * 100)}% similar to ${of}`;

/**
 * Groups the given comments (ascending ids) in that order: each joins the campaign of its best
 * match (an exact duplicate, else the most similar candidate at or above the threshold whose
 * campaign's representative it also resembles), or starts one with it (the lower id represents
 * it). Without `onlyEarlier`, candidates still alone that match it are swept in as well, under the
 * same check. Reads; writes nothing (applyPlan does).
 */
async function planGrouping(tx: Queryable, ids: number[], threshold: number, onlyEarlier: boolean): Promise<Plan> {
  const plan: Plan = { campaigns: [], marks: [], matches: new Map() };
  if (ids.length === 0) return plan;
  const own = await tx.query<{ id: number; trackingNumber: string; campaignId: string | null; duplicateComments: number }>(
    `SELECT id, tracking_number AS "trackingNumber", campaign_id AS "campaignId", duplicate_comments AS "duplicateComments"
       FROM comments WHERE id = ANY($1::int[])`,
    [ids],
  );
  const copiesBehind = new Map(own.map((r) => [r.id, r.duplicateComments]));
  const campaignOf = new Map<number, string | null>();
  const trackingOf = new Map<number, string>();
  for (const r of own) {
    campaignOf.set(r.id, r.campaignId);
    trackingOf.set(r.id, r.trackingNumber);
  }
  const found = await candidatesOf(tx, ids, onlyEarlier);
  const candidates = found.byComment;
  for (const list of candidates.values()) {
    for (const c of list) {
      if (!campaignOf.has(c.y)) campaignOf.set(c.y, c.campaignId);
      trackingOf.set(c.y, c.trackingNumber);
    }
  }
  // Representatives of the campaigns a comment may join, with their shingles (one query each).
  const repOf = new Map<string, number>();
  const existing = [...new Set([...campaignOf.values()].filter((c): c is string => Boolean(c)))];
  if (existing.length) {
    const reps = await tx.query<{ id: string; rep: number | null }>(
      'SELECT id, representative_id AS rep FROM campaigns WHERE id = ANY($1::text[])',
      [existing],
    );
    for (const r of reps) if (r.rep !== null) repOf.set(r.id, r.rep);
    await found.shinglesOf([...repOf.values()]);
  }
  /** A near match may take x into campaign `campaignId` (see MIN_REPRESENTATIVE_CONTAINMENT). */
  const fitsCampaign = async (x: number, matched: number, campaignId: string | null | undefined) => {
    if (!campaignId) return true;
    const rep = repOf.get(campaignId);
    if (rep === undefined || rep === matched || rep === x) return true;
    const sets = await found.shinglesOf([x, rep, matched]);
    const a = sets.get(x);
    const b = sets.get(rep);
    if (!a || !b) return true;
    const toRep = containment(a, b);
    const m = sets.get(matched);
    return toRep >= MIN_REPRESENTATIVE_CONTAINMENT && (!m || toRep >= MIN_REPRESENTATIVE_SHARE_OF_MATCH * containment(a, m));
  };
  const mark = (id: number, campaignId: string, kind: 'exact' | 'near' | null, similarity: number | null, note: string) => {
    campaignOf.set(id, campaignId);
    plan.marks.push({ id, campaignId, kind, similarity, note });
  };
  for (const x of ids) {
    if (!trackingOf.has(x) || campaignOf.get(x)) continue;
    const list = candidates.get(x) ?? [];
    const matching = list.filter((c) => c.kind === 'exact' || c.similarity >= threshold);
    // The best match: an exact duplicate, else the most similar near match whose campaign (if it
    // has one) x also resembles as a whole.
    let best = matching.find((c) => c.kind === 'exact');
    if (!best) {
      for (const c of matching.filter((m) => m.kind === 'near').sort((a, b) => b.similarity - a.similarity || a.y - b.y)) {
        if (await fitsCampaign(x, c.y, campaignOf.get(c.y))) {
          best = c;
          break;
        }
      }
    }
    if (!best) {
      // regulations.gov counted identical copies behind this one: it is a campaign by itself,
      // which later copies join.
      const behind = copiesBehind.get(x) ?? 0;
      if (behind > 0) {
        const id = newCampaignId();
        plan.campaigns.push({ id, representativeId: x });
        repOf.set(id, x);
        mark(x, id, null, null, `a campaign of ${behind + 1} copies (Duplicate Comments: ${behind})`);
      }
      continue;
    }
    let campaignId = campaignOf.get(best.y) ?? null;
    if (campaignId) {
      mark(x, campaignId, best.kind, best.similarity, describe(best.kind, best.similarity, best.trackingNumber));
    } else {
      campaignId = newCampaignId();
      const [first, second] = x < best.y ? [x, best.y] : [best.y, x];
      plan.campaigns.push({ id: campaignId, representativeId: first });
      repOf.set(campaignId, first);
      mark(first, campaignId, null, null, `started a campaign with ${trackingOf.get(second)}`);
      mark(second, campaignId, best.kind, best.similarity, describe(best.kind, best.similarity, trackingOf.get(first)!));
    }
    plan.matches.set(x, { campaignId, kind: best.kind, matchedId: best.y, matchedTrackingNumber: best.trackingNumber, similarity: best.similarity });
    // Copies of this comment still without a campaign join it too (single link): a copy that
    // matched no earlier comment stays alone otherwise, when the later ones that match it match
    // another copy better. On submission they also exist when copies were committed together:
    // one grouped before the others were visible found nothing. With `onlyEarlier` the
    // candidates are earlier comments only, so the result still depends on the order alone.
    const twins = onlyEarlier ? [] : await tx.query<{ id: number; trackingNumber: string }>(
      `SELECT s.id, s.tracking_number AS "trackingNumber" FROM comments s, comments x
        WHERE x.id = $1 AND s.text_hash = x.text_hash AND s.id <> x.id AND s.campaign_id IS NULL
          AND length(x.dedupe_text) >= $2 AND ${complete('s')} ORDER BY s.id`,
      [x, MIN_EXACT_CHARS],
    );
    const stragglers: Candidate[] = [
      ...twins.map((t) => ({ y: t.id, kind: 'exact' as const, similarity: 1, campaignId: null, trackingNumber: t.trackingNumber })),
      ...matching.filter((c) => c.kind === 'near'),
    ];
    for (const s of stragglers) {
      if (campaignOf.get(s.y)) continue;
      if (s.kind === 'near' && !(await fitsCampaign(s.y, x, campaignId))) continue;
      mark(s.y, campaignId, s.kind, s.similarity, describe(s.kind, s.similarity, trackingOf.get(x)!));
    }
  }
  return plan;
}

/**
 * Campaign size as copies: a member counts once plus the identical copies regulations.gov
 * counted behind it (`Duplicate Comments`, when the import had that column).
 */
const COPIES_OF_MEMBER = '1 + duplicate_comments';

async function applyPlan(tx: Queryable, plan: Plan, actor: string): Promise<void> {
  if (plan.campaigns.length) {
    await tx.query('INSERT INTO campaigns (id, size, representative_id) SELECT id, 0, rep FROM unnest($1::text[], $2::int[]) AS u(id, rep)', [
      plan.campaigns.map((c) => c.id),
      plan.campaigns.map((c) => c.representativeId),
    ]);
  }
  if (plan.marks.length === 0) return;
  const m = plan.marks;
  await tx.query(
    `UPDATE comments c SET campaign_id = u.cid, duplicate_kind = u.kind, duplicate_similarity = u.sim, updated_at = now()
       FROM unnest($1::int[], $2::text[], $3::text[], $4::real[]) AS u(id, cid, kind, sim) WHERE c.id = u.id`,
    [m.map((x) => x.id), m.map((x) => x.campaignId), m.map((x) => x.kind), m.map((x) => x.similarity)],
  );
  await tx.query(
    `INSERT INTO comment_audit (comment_id, actor, action, from_value, to_value, note)
     SELECT u.id, $1, 'campaign', NULL, u.cid, u.note FROM unnest($2::int[], $3::text[], $4::text[]) WITH ORDINALITY AS u(id, cid, note, n) ORDER BY u.n`,
    [actor, m.map((x) => x.id), m.map((x) => x.campaignId), m.map((x) => x.note)],
  );
  await tx.query(
    // Marks only ever take a comment without a campaign into one, so sizes grow by the marks;
    // recounting the members instead read every member of a large campaign on every batch.
    `UPDATE campaigns cp SET size = cp.size + s.n, copies = cp.copies + s.copies, updated_at = now()
       FROM (SELECT u.cid, count(*)::int AS n, sum(${COPIES_OF_MEMBER})::int AS copies
               FROM unnest($1::int[], $2::text[]) AS u(id, cid) JOIN comments c ON c.id = u.id GROUP BY u.cid) s
      WHERE cp.id = s.cid`,
    [m.map((x) => x.id), m.map((x) => x.campaignId)],
  );
}

/**
 * Groups one comment into the campaign of its best match (see planGrouping), in one transaction
 * with the audit entries, after storing its bands. Submission looks at every other comment: two
 * copies committed at the same moment may get their ids in one order and their commits in the
 * other, and whichever is grouped second must still see the first. Returns null when the comment
 * matches nothing, is already in a campaign, or still has attachments being read.
 */
export async function assignCampaign(
  db: Db,
  commentId: number,
  threshold: number,
  actor = 'system',
  options: { onlyEarlier?: boolean } = {},
): Promise<CampaignMatch | null> {
  await backfillBands(db);
  return db.transaction(async (tx) => {
    if (db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [CAMPAIGN_LOCK]);
    const rows = await tx.query<{ id: number; dedupeText: string; campaignId: string | null }>(
      `SELECT id, dedupe_text AS "dedupeText", campaign_id AS "campaignId" FROM comments WHERE id = $1 AND ${COMPLETE} FOR UPDATE`,
      [commentId],
    );
    const comment = rows[0];
    if (!comment) return null;
    await storeBands(tx, [comment]);
    await tx.query('UPDATE comments SET grouping_pending = false WHERE id = $1', [comment.id]);
    if (comment.campaignId) return null;
    const plan = await planGrouping(tx, [comment.id], threshold, options.onlyEarlier ?? false);
    await applyPlan(tx, plan, actor);
    return plan.matches.get(comment.id) ?? null;
  });
}

/**
 * Groups every comment still waiting for it (grouping_pending; whole comments only), in id order,
 * GROUP_BATCH per transaction: a bulk import calls it after each batch it commits, and a killed
 * import leaves pending comments that the next call groups. Candidates are the earlier comments
 * only, so the campaigns come out the same however the work was cut (or interrupted).
 * Returns how many comments it looked at and how many of them joined a campaign.
 */
export async function groupPending(
  db: Db,
  threshold: number,
  options: { actor?: string; batchSize?: number; expected?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ checked: number; grouped: number }> {
  await backfillBands(db);
  const batch = options.batchSize ?? GROUP_BATCH;
  // The progress total; `expected` (a batch the caller just stored) spares a count of the table.
  const total =
    options.expected ?? (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE grouping_pending AND ${COMPLETE}`))[0]?.n ?? 0;
  let checked = 0;
  let grouped = 0;
  for (;;) {
    const step = await db.transaction(async (tx) => {
      if (db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [CAMPAIGN_LOCK]);
      const ids = (
        await tx.query<{ id: number }>(`SELECT id FROM comments WHERE grouping_pending AND ${COMPLETE} ORDER BY id LIMIT $1`, [batch])
      ).map((r) => r.id);
      if (ids.length === 0) return null;
      const plan = await planGrouping(tx, ids, threshold, true);
      await applyPlan(tx, plan, options.actor ?? 'system');
      await tx.query('UPDATE comments SET grouping_pending = false WHERE id = ANY($1::int[])', [ids]);
      return { n: ids.length, grouped: plan.matches.size };
    });
    if (!step) break;
    checked += step.n;
    grouped += step.grouped;
    options.onProgress?.(checked, Math.max(total, checked));
  }
  return { checked, grouped };
}

/** "N similar comments" for a card: the other members of the comment's campaign (0 without one). */
export async function similarCount(db: Queryable, commentId: number): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `SELECT coalesce(max(cp.size) - 1, 0)::int AS n
       FROM comments c LEFT JOIN campaigns cp ON cp.id = c.campaign_id WHERE c.id = $1`,
    [commentId],
  );
  return rows[0]?.n ?? 0;
}

export interface CampaignSummary {
  campaignId: string;
  /** Members stored here. */
  size: number;
  /** Copies the campaign stands for: members plus the `Duplicate Comments` regulations.gov counted behind them. */
  copies: number;
  /** Like regulations.gov's duplicateComments on the representative comment: copies - 1. */
  duplicateComments: number;
  exact: number;
  near: number;
  representativeTrackingNumber: string | null;
  firstReceivedAt: Date;
  lastReceivedAt: Date;
}

/** Campaigns, largest first. Staff only: it names comments. */
export async function listCampaigns(deps: CommentDeps, actor: Actor, options: { minSize?: number; limit?: number } = {}): Promise<CampaignSummary[]> {
  requireStaff(deps, actor, 'comments.campaigns');
  return deps.db.query<CampaignSummary>(
    `SELECT cp.id AS "campaignId", cp.size, cp.copies, (cp.copies - 1) AS "duplicateComments",
            count(*) FILTER (WHERE c.duplicate_kind = 'exact')::int AS exact,
            count(*) FILTER (WHERE c.duplicate_kind = 'near')::int AS near,
            r.tracking_number AS "representativeTrackingNumber",
            min(c.received_at) AS "firstReceivedAt", max(c.received_at) AS "lastReceivedAt"
       FROM campaigns cp
       JOIN comments c ON c.campaign_id = cp.id
       LEFT JOIN comments r ON r.id = cp.representative_id
      WHERE cp.copies >= $1
      GROUP BY cp.id, cp.size, cp.copies, r.tracking_number
      ORDER BY cp.copies DESC, min(c.received_at), cp.id
      LIMIT $2`,
    [options.minSize ?? 2, Math.min(options.limit ?? 100, 1000)],
  );
}

/**
 * Rebuilds every campaign from scratch in the order comments were stored, e.g. after changing the
 * threshold: all comments are marked pending and grouped in batches (groupPending), so a regroup
 * that is interrupted is finished by the next one or by `groupPending`.
 * Returns the number of comments that ended up in a campaign.
 */
export async function regroupCampaigns(
  deps: CommentDeps,
  actor: Actor,
  options: { onProgress?: (done: number, total: number) => void } = {},
): Promise<number> {
  requireStaff(deps, actor, 'comments.regroup');
  await deps.db.transaction(async (tx) => {
    await tx.query('UPDATE comments SET campaign_id = NULL, duplicate_kind = NULL, duplicate_similarity = NULL WHERE campaign_id IS NOT NULL');
    await tx.query('DELETE FROM campaigns');
    await tx.query('UPDATE comments SET grouping_pending = true WHERE NOT grouping_pending');
  });
  await groupPending(deps.db, deps.config.comments.nearDuplicateThreshold, { actor: actorLabel(actor), onProgress: options.onProgress });
  const [row] = await deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM comments WHERE campaign_id IS NOT NULL');
  return row?.n ?? 0;
}
