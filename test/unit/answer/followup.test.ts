import { describe, expect, it } from 'vitest';
import { contentWords, expandFollowUp, isElliptical } from '../../../src/answer/followup.ts';
import type { ConversationTurn } from '../../../src/domain/answer.ts';

const history: ConversationTurn[] = [
  { role: 'user', text: 'Does the 2023 revised CAT policy address human rights?' },
  { role: 'assistant', text: 'Yes. It commits to preventing transfers that risk violations.' },
];

describe('follow-up expansion (extractive mode)', () => {
  it('content words keep case, drop stopwords, pronouns and duplicates', () => {
    expect(contentWords("What did the Arms Control Association's fellow say about it, and the fellow?")).toEqual([
      'Arms',
      'Control',
      'Association',
      'fellow',
    ]);
  });

  it('recognises elliptical follow-ups', () => {
    expect(isElliptical('And what about firearms?')).toBe(true);
    expect(isElliptical('How about the 2018 policy?')).toBe(true);
    expect(isElliptical('When was that plan submitted?')).toBe(true);
    expect(isElliptical('Which interagency group on satellites does his office chair?')).toBe(true);
    expect(isElliptical('Which office chairs the Remote Sensing Interagency Working Group?')).toBe(false);
  });

  it('prepends the previous user question for an elliptical follow-up', () => {
    expect(expandFollowUp('And what about firearms?', history)).toBe('2023 revised CAT policy address human rights And what about firearms?');
  });

  it('leaves a standalone question alone', () => {
    const q = 'Which office chairs the Remote Sensing Interagency Working Group?';
    expect(expandFollowUp(q, history)).toBe(q);
  });

  it('chains through a previous follow-up and does not repeat words', () => {
    const longer: ConversationTurn[] = [...history, { role: 'user', text: 'And firearms?' }, { role: 'assistant', text: 'Yes.' }];
    expect(expandFollowUp('What about spare parts?', longer)).toBe('2023 revised CAT policy address human rights firearms What about spare parts?');
  });

  it('without a previous user question there is nothing to borrow', () => {
    expect(expandFollowUp('And firearms?', [{ role: 'assistant', text: 'Hello' }])).toBe('And firearms?');
  });
});
