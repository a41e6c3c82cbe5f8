import { describe, expect, it } from 'vitest';
import { anyLexemeQuery, candidateLexemes, FTS_CANDIDATE_BUDGET } from '../../../src/search/retrieve.ts';

describe('full-text candidate lexemes', () => {
  it('choose the rarest lexemes whose frequencies fit the budget, at least one, and none when all fit', () => {
    const terms = [
      { lexeme: 'polici', df: 900 },
      { lexeme: 'offset', df: 12 },
      { lexeme: 'arm', df: 1500 },
      { lexeme: 'uav', df: 40 },
    ];
    expect(candidateLexemes(terms, 3000)).toBeNull();
    expect(candidateLexemes(terms, 1000)).toEqual(['offset', 'uav', 'polici']);
    expect(candidateLexemes(terms, 100)).toEqual(['offset', 'uav']);
    expect(candidateLexemes(terms, 5)).toEqual(['offset']);
    expect(candidateLexemes([{ lexeme: 'a', df: 10 }, { lexeme: 'b' }], 5)).toBeNull();
  });


  it('leave a question alone when its words are rarer than the default budget in total', () => {
    expect(candidateLexemes([{ lexeme: 'a', df: FTS_CANDIDATE_BUDGET - 1 }, { lexeme: 'b', df: 1 }])).toBeNull();
    expect(candidateLexemes([{ lexeme: 'a', df: FTS_CANDIDATE_BUDGET }, { lexeme: 'b', df: 1 }])).toEqual(['b']);
  });

  it('break ties in frequency by lexeme, so the choice is deterministic', () => {
    expect(candidateLexemes([{ lexeme: 'b', df: 5 }, { lexeme: 'a', df: 5 }, { lexeme: 'c', df: 100 }], 6)).toEqual(['a']);
  });

  it('write an OR of quoted lexemes, doubling quotes and backslashes', () => {
    expect(anyLexemeQuery(['uav', "o'neil", 'a\\b'])).toBe("'uav' | 'o''neil' | 'a\\\\b'");
  });
});
