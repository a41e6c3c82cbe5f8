import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formLetterDocket } from '../../bench/form-letters.ts';
import { dedupeTextOf, normalizeForDedupe } from '../../src/comments/dedupe.ts';
import { containment, jaccard, trigramSet } from '../../src/comments/similarity.ts';
import type { Db } from '../../src/db/types.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';

/**
 * Campaign grouping scores candidate pairs with a trigram similarity computed in the process
 * (src/comments/similarity.ts), in place of the database's pg_trgm similarity(). The two must
 * agree, or the threshold people set (COMMENT_NEAR_DUPLICATE_THRESHOLD) means something else.
 */
let db: Db & { label: string };
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await db?.close();
});

describe(`trigram similarity in the process matches pg_trgm (${dbLabel})`, () => {
  it('on form letters, their variants, short texts and non-Latin words', async () => {
    const docket = formLetterDocket(60, { seed: 5, campaigns: 3 });
    const texts = [
      ...docket.map((c) => dedupeTextOf({ text: c.text })),
      ...['a', 'ab', 'a b c', 'itar', 'itar licensing', 'x 1 22 333', 'é', 'ü ö ä über', 'οπλα πωλησεις', 'оружие экспорт', '武器 出口 政策', 'مبيعات الأسلحة', '𠀋𠀌𠀍 政策', '𠀋'].map(
        normalizeForDedupe,
      ),
    ];
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < texts.length; i++) pairs.push([i, (i * 7 + 3) % texts.length], [i, (i + 1) % texts.length]);
    // Letters of one campaign, paired: the near copies the threshold decides on.
    docket.forEach((c, i) => {
      const j = docket.findIndex((d, k) => k > i && d.group === c.group);
      if (j > 0) pairs.push([i, j]);
    });
    const rows = await db.query<{ s: number }>(
      `SELECT similarity(a, b)::float8 AS s FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(a, b, n) ORDER BY n`,
      [pairs.map(([i]) => texts[i]!), pairs.map(([, j]) => texts[j]!)],
    );
    const mine = pairs.map(([i, j]) => Math.fround(jaccard(trigramSet(texts[i]!), trigramSet(texts[j]!))));
    const theirs = rows.map((r) => r.s);
    // Some pairs are near copies and some unrelated, so the comparison spans the range.
    expect(Math.max(...theirs)).toBeGreaterThan(0.8);
    expect(Math.min(...theirs)).toBeLessThan(0.3);
    mine.forEach((s, k) => expect(s, `pair ${pairs[k]}: ${texts[pairs[k]![0]]!.slice(0, 40)} / ${texts[pairs[k]![1]]!.slice(0, 40)}`).toBeCloseTo(theirs[k]!, 5));
  });

  it('a text is identical to itself and shares nothing with an empty one', () => {
    const s = trigramSet('arms transfer policy');
    expect(jaccard(s, s)).toBe(1);
    expect(jaccard(s, trigramSet(''))).toBe(0);
    expect(containment(trigramSet('arms transfer'), s)).toBe(1);
  });
});
