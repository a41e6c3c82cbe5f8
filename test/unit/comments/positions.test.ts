import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameProposal, positionFromLabel, readPosition } from '../../../src/comments/positions.ts';

const DIR = path.join(import.meta.dirname, '..', '..', 'fixtures', 'positions');
const MEALS = frameProposal('Relax the school meal nutrition standards and delay the next sodium reduction target');

describe('framing a proposal', () => {
  it('finds which way it moves the rules, from its own words', () => {
    expect(frameProposal('Relax the school meal standards').direction).toBe('loosen');
    expect(frameProposal('Ban menthol as a characterizing flavor in cigarettes').direction).toBe('tighten');
    // A tightening verb on a loosening noun: expanding an exemption loosens.
    expect(frameProposal('Expand the hours-of-service exemption for agricultural drivers').direction).toBe('loosen');
    expect(frameProposal('Revise the end-use monitoring requirements for night vision exports')).toMatchObject({ direction: 'loosen', directionStated: false });
  });
});

describe('reading a position against the proposal', () => {
  const read = (t: string) => readPosition(t, MEALS);
  it('reads stance verbs with their object: the proposal, a change of one direction, or the rules as they are', () => {
    expect(read('We support the proposed rule.').position).toBe('supports');
    expect(read('I oppose any delay of the sodium targets.').position).toBe('opposes');
    expect(read('I support the current standards.').position).toBe('opposes');
    expect(read('We support giving schools more flexibility on sodium.').position).toBe('supports');
  });
  it('reads requests to keep what the proposal changes, and negation', () => {
    expect(read('Please keep the nutrition standards in place.').position).toBe('opposes');
    expect(read('Do not weaken the school meal rules.').position).toBe('opposes');
    expect(read('The sodium rules should be relaxed.').position).toBe('supports');
    expect(read('Why would we lower the bar for school meal nutrition?').position).toBe('opposes');
  });
  it('reads both sides of a contrast as mixed, and a comment with no stance as unclear', () => {
    expect(read('I support the milk flexibility, but I oppose delaying the sodium target.').position).toBe('mixed');
    expect(read('When will the cafeteria roof be repaired?')).toEqual({ position: 'unclear', quote: null, support: 0, oppose: 0 });
  });
  it('quotes the sentence that shows the position, verbatim', () => {
    const text = 'My name is Ann and I have two children.\nThey eat lunch at school every day. Please do not roll back the standards; they work.';
    const r = read(text);
    expect(r.position).toBe('opposes');
    expect(text).toContain(r.quote!);
    expect(r.quote).toMatch(/do not roll back/);
  });
  it('maps analysts\' stance labels', () => {
    expect(['support', 'Oppose', 'neutral', 'Mixed', 'against', 'whatever'].map(positionFromLabel)).toEqual(['supports', 'opposes', 'unclear', 'mixed', 'opposes', null]);
  });
});

describe('the labelled set', () => {
  it('agrees with the labels far above the majority class (bench/positions.ts prints the details)', () => {
    const proposals = JSON.parse(readFileSync(path.join(DIR, 'proposals.json'), 'utf8')) as Record<string, string>;
    const rows = readFileSync(path.join(DIR, 'labelled.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { proposal: string; label: string; text: string });
    expect(rows.length).toBeGreaterThanOrEqual(100);
    const labels = new Set(rows.map((r) => r.label));
    expect([...labels].sort()).toEqual(['mixed', 'opposes', 'supports', 'unclear']);
    const right = rows.filter((r) => readPosition(r.text, frameProposal(proposals[r.proposal]!)).position === r.label).length;
    const counts = [...labels].map((l) => rows.filter((r) => r.label === l).length);
    const majority = Math.max(...counts) / rows.length;
    expect(right / rows.length).toBeGreaterThan(0.8);
    expect(right / rows.length).toBeGreaterThan(majority + 0.3);
  });
});
