import { describe, expect, it } from 'vitest';
import { detectPersonalData, keywordTopicSuggester, suggestTopicByKeywords } from '../../../src/comments/triage.ts';
import { testConfig } from '../../helpers/comments.ts';

const topics = testConfig().comments.topics;
const suggest = (text: string, attachmentText = '') => suggestTopicByKeywords({ title: null, text, attachmentText, topics })?.topic;

describe('suggested topic (keywords)', () => {
  it.each([
    ['ITAR licensing takes too long and the USML categories are unclear to exporters.', 'export-controls-and-itar'],
    ['Armed drones under the MTCR: the strong presumption of denial for Category I UAS should stay.', 'mtcr-and-uas'],
    ['Civilian harm and violations of international humanitarian law must weigh in every decision.', 'human-rights-and-ihl'],
    ['Strategic competition with the PRC in the Indo-Pacific calls for faster support to allies.', 'prioritizing-strategic-competition'],
    ['Foreign military financing and co-production would strengthen the defense industrial base.', 'creating-conducive-environments'],
    ['The interagency process and congressional notification timelines cause delays and a backlog.', 'organizing-for-success'],
  ])('%s → %s', (text, topic) => {
    expect(suggest(text)).toBe(topic);
  });

  it('reads attachment text when the comment says only "see attached"', () => {
    expect(suggest('See attached.', 'Our letter concerns unmanned aircraft (UAS) and the Missile Technology Control Regime.')).toBe('mtcr-and-uas');
  });

  it('suggests Other when nothing matches, with score 0, labelled by method', () => {
    expect(suggestTopicByKeywords({ title: null, text: 'Lovely weather today.', attachmentText: '', topics })).toEqual({
      topic: 'other',
      score: 0,
      method: 'keywords',
    });
  });

  it('matches configured topics without built-in keywords by their label words', () => {
    const custom = [{ slug: 'cyber', label: 'Cyber tools' }, { slug: 'space', label: 'Space launch' }];
    expect(suggestTopicByKeywords({ title: null, text: 'Exports of cyber tools and cyber intrusion software.', attachmentText: '', topics: custom })?.topic).toBe('cyber');
    expect(suggestTopicByKeywords({ title: null, text: 'Nothing relevant.', attachmentText: '', topics: custom })).toBeNull();
  });

  it('is available through the suggester interface', async () => {
    expect(await keywordTopicSuggester.suggest({ title: 'ITAR', text: 'ITAR export control licensing', attachmentText: '', topics })).toMatchObject({
      topic: 'export-controls-and-itar',
      method: 'keywords',
    });
  });
});

describe('personal data flag', () => {
  it.each([
    ['Write to me at jane.doe@example.org.', ['email']],
    ['Call (202) 555-0147 or +44 20 7946 0958.', ['phone']],
    ['I live at 1600 Pennsylvania Avenue in Washington.', ['street_address']],
    ['Send mail to P.O. Box 1234.', ['street_address']],
    ['My SSN is 123-45-6789.', ['ssn']],
    ['Email a@b.co, phone 202-555-0100, 12 Oak Street, 078-05-1120.', ['email', 'phone', 'street_address', 'ssn']],
  ])('%s', (text, kinds) => {
    expect(detectPersonalData(text)).toEqual(kinds);
  });

  it.each([
    'Section 3 of the 2023 policy, paragraph 12.',
    'Docket DOS-2023-0012-0001 and 22 CFR 120.1.',
    'In 2018, 45 percent of 1,200 licenses were approved.',
    'See pages 123-456 of the report.',
  ])('no flag: %s', (text) => {
    expect(detectPersonalData(text)).toEqual([]);
  });

  it('scans attachment text too', () => {
    expect(detectPersonalData('See attached.', null, 'Contact: 555-123-4567')).toEqual(['phone']);
  });
});
