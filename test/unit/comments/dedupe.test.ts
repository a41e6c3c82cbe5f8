import { describe, expect, it } from 'vitest';
import { dedupeTextOf, normalizeForDedupe, stripSalutations, textHash } from '../../../src/comments/dedupe.ts';

const letter = (greeting: string, signer: string) =>
  `${greeting}\n\nI urge the Department to strengthen human rights safeguards.\nEnd-use monitoring must be funded.\n\nSincerely,\n${signer}\nPortland, OR`;

describe('dedupe text', () => {
  it('drops greeting and signature, so letters that differ only in who signed them hash equally', () => {
    const a = dedupeTextOf({ text: letter('Dear Assistant Secretary,', 'Maria Garcia') });
    const b = dedupeTextOf({ text: letter('To whom it may concern:', 'John Smith') });
    expect(a).toBe('i urge the department to strengthen human rights safeguards end use monitoring must be funded');
    expect(textHash(a)).toBe(textHash(b));
  });

  it('folds case, punctuation and Unicode compatibility forms', () => {
    expect(normalizeForDedupe('ＩＴＡＲ—Licensing!!  “Now”')).toBe('itar licensing now');
  });

  it('keeps a "thank you" that opens a letter, cuts at the "-- " signature separator', () => {
    expect(stripSalutations('Thank you\nfor the chance to comment on the policy.\nMore text here to make it longer.')).toMatch(/^Thank you/);
    expect(stripSalutations('Body text.\n-- \nJane\nAcme Inc.')).toBe('Body text.\n');
  });

  it('includes attachment text, so "see attached" letters with different files differ', () => {
    const a = dedupeTextOf({ text: 'See attached.', attachmentTexts: ['Our view on drones.'] });
    const b = dedupeTextOf({ text: 'See attached.', attachmentTexts: ['Our view on licensing.'] });
    expect(textHash(a)).not.toBe(textHash(b));
  });
});
