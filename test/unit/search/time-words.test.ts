import { describe, expect, it } from 'vitest';
import { readKind, readTimeScope, timeWordsIn, withoutTimeWords } from '../../../src/search/intent.ts';

describe('time words are not topic words', () => {
  it('finds the words that choose a time or version, phrases whole', () => {
    expect(timeWordsIn('What did the original policy say, and what does the revised one say now?')).toEqual(['original', 'revised', 'now']);
    expect(timeWordsIn('Is the old policy still in force? What about the latest and newest ones, the previous and current?')).toEqual([
      'old',
      'in force',
      'latest',
      'newest',
      'previous',
      'current',
    ]);
    expect(timeWordsIn('the New policy, updated guidance, an earlier draft, the most recent revision')).toEqual(['New', 'updated', 'earlier', 'most recent', 'revision']);
  });

  it('leaves years, names and words that are often topics alone', () => {
    expect(timeWordsIn('the 2018 policy under Biden')).toEqual([]);
    expect(timeWordsIn('transfers to New Zealand and New York firms')).toEqual([]);
    expect(timeWordsIn('the first line of effort, prior notification, initial review, valid licences, active cases')).toEqual([]);
    // Inside longer words nothing is a time word.
    expect(timeWordsIn('renewal, knowledge, boldly, currents')).toEqual([]);
  });

  it('removes them from a text, with the article left before them', () => {
    expect(withoutTimeWords('the latest human rights rules')).toBe('human rights rules');
    expect(withoutTimeWords('human rights in the new and the old policy')).toBe('human rights in and policy');
    expect(withoutTimeWords('transfers to New Zealand')).toBe('transfers to New Zealand');
    expect(withoutTimeWords('current')).toBe('');
  });

  it('a comparison topic is said without time words; a topic of time words only is no topic', () => {
    expect(readKind('Compare how the 2018 and 2023 policies treat the latest human rights rules').comparison).toMatchObject({ topic: 'human rights rules' });
    expect(readKind('What changed between the original and the revised policy on current end-use monitoring?').comparison).toMatchObject({ topic: 'end-use monitoring' });
    expect(readKind('What is the difference between the 2018 and 2023 policies on new technologies?').comparison).toMatchObject({ topic: 'technologies' });
    expect(readKind('How has the old policy changed?').comparison).toMatchObject({ sides: [], topic: 'policy' });
    expect(readKind('Compare how the 2018 and 2023 policies treat the newest').comparison).toMatchObject({ topic: null });
  });

  it('they still choose the time scope', () => {
    expect(readTimeScope('the latest human rights rules').current).toBe(true);
    expect(readTimeScope('the original policy on human rights').version).toBe('earlier');
    expect(readTimeScope('the revised policy on human rights').version).toBe('later');
  });
});
