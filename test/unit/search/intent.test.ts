import { describe, expect, it } from 'vitest';
import { readKind, readTimeScope } from '../../../src/search/intent.ts';
import { closeDottedAcronyms, editDistance } from '../../../src/search/understand.ts';

describe('temporal intent', () => {
  it('reads current intent from everyday words', () => {
    for (const q of [
      'What is the current policy on offsets?',
      'Which rules are in force now?',
      'Show me the latest guidance on drones',
      "today's arms transfer policy on human rights",
      'the newest version of the CAT policy',
    ]) {
      expect(readTimeScope(q).current, q).toBe(true);
    }
    expect(readTimeScope('What are the three lines of effort?').current).toBe(false);
  });

  it('reads years and ranges', () => {
    expect(readTimeScope('What did the 2018 policy say?').years).toEqual([{ from: 2018, to: 2018 }]);
    expect(readTimeScope('guidance issued in 2023').years).toEqual([{ from: 2023, to: 2023 }]);
    expect(readTimeScope('policies before 2020').years).toEqual([{ from: null, to: 2019 }]);
    expect(readTimeScope('anything since 2021?').years).toEqual([{ from: 2021, to: null }]);
    expect(readTimeScope('documents between 2016 and 2019').years).toEqual([{ from: 2016, to: 2019 }]);
    // Money, weights and document numbers are not years.
    expect(readTimeScope('worth more than $2018 a year, 2000kg, NSPM-10').years).toEqual([]);
  });

  it('maps administrations to their years', () => {
    const biden = readTimeScope('What did the policy say under Biden?');
    expect(biden.administrations).toEqual(['Biden']);
    expect(biden.years).toEqual([{ from: 2021, to: 2025 }]);
    const trump = readTimeScope('Trump-era rules on drone exports');
    expect(trump.administrations).toEqual(['Trump']);
    expect(trump.years).toContainEqual({ from: 2017, to: 2021 });
    expect(readTimeScope("the first Trump administration's policy").years).toEqual([{ from: 2017, to: 2021 }]);
  });

  it('reads earlier and later versions', () => {
    expect(readTimeScope('What did the original policy say about jobs?').version).toBe('earlier');
    expect(readTimeScope('the previous version on human rights').version).toBe('earlier');
    expect(readTimeScope('What does the revised policy say about corruption?').version).toBe('later');
    expect(readTimeScope('What does the policy say about corruption?').version).toBeNull();
  });
});

describe('question kind', () => {
  it('recognises status questions and their subject', () => {
    expect(readKind('Is the 2018 arms transfer policy still in effect?')).toMatchObject({
      kind: 'status',
      status: { asks: 'in-force', subject: '2018 arms transfer policy' },
    });
    expect(readKind('Which policy is current?')).toMatchObject({ kind: 'status', status: { asks: 'which-current' } });
    expect(readKind('What replaced the 2018 CAT policy?')).toMatchObject({ kind: 'status', status: { asks: 'replaced', subject: '2018 CAT policy' } });
    expect(readKind('When was the revised CAT policy issued?')).toMatchObject({ kind: 'status', status: { asks: 'issued', subject: 'revised CAT policy' } });
    // Asking what the current policy says is a look-up with current intent, not a status question.
    expect(readKind('What is the current policy on human rights?').kind).toBe('lookup');
    expect(readKind('When was the UAS export market estimated to grow?').kind).toBe('lookup');
  });

  it('recognises comparisons with their sides and topic', () => {
    const a = readKind('What changed between 2018 and 2023?');
    expect(a.kind).toBe('comparison');
    expect(a.comparison!.sides.map((s) => s.time.years)).toEqual([[{ from: 2018, to: 2018 }], [{ from: 2023, to: 2023 }]]);
    expect(a.comparison!.topic).toBeNull();
    const b = readKind('Compare how the 2018 policy and the 2023 revision treat human rights');
    expect(b.kind).toBe('comparison');
    expect(b.comparison!.sides.map((s) => s.text)).toEqual(['2018 policy', '2023 revision']);
    expect(b.comparison!.topic).toBe('human rights');
    const c = readKind('What is the difference between the Trump and Biden policies on civilian harm?');
    expect(c.comparison!.sides.map((s) => s.time.administrations)).toEqual([['Trump'], ['Biden']]);
    expect(c.comparison!.topic).toBe('civilian harm');
    expect(readKind('How does the 2023 policy differ from the 2018 policy on corruption?').comparison).toMatchObject({ topic: 'corruption' });
    expect(readKind('What are the three lines of effort in the implementation plan?').kind).toBe('lookup');
  });
});

describe('spelling helpers', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('reveiw', 'review')).toBe(1);
    expect(editDistance('polci', 'polici')).toBe(1);
    expect(editDistance('tranfer', 'transfer')).toBe(1);
    expect(editDistance('chicken', 'check')).toBe(3);
  });

  it('closes dotted acronyms but leaves U.S. alone', () => {
    expect(closeDottedAcronyms('Are U.A.S. exports covered by U.S. rules?')).toBe('Are UAS exports covered by U.S. rules?');
  });
});
