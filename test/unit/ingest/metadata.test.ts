import { describe, expect, it } from 'vitest';
import { cleanText } from '../../../ingest/clean.ts';
import { extractMetadata, parseDateLine, type DocumentMetadata } from '../../../ingest/metadata.ts';
import type { LoadedDocument } from '../../../ingest/types.ts';
import { CORPUS_FILES, readCorpus, type CorpusKey } from '../../helpers/corpus.ts';

const txt = (path: string): Pick<LoadedDocument, 'meta' | 'format' | 'path'> => ({ meta: {}, format: 'txt', path });
const metaOf = (key: CorpusKey): DocumentMetadata => extractMetadata(cleanText(readCorpus(key)), txt(CORPUS_FILES[key]));
const metaOfText = (text: string, loaded: Partial<Pick<LoadedDocument, 'meta' | 'format'>> = {}): DocumentMetadata =>
  extractMetadata(cleanText(text), { path: 'x', meta: {}, format: 'txt', ...loaded });

const LONG =
  'The Department reviews each proposed transfer against the criteria of the policy, consulting the agencies concerned and weighing the risks that the transfer could raise for regional security.';

describe('metadata of the bundled documents', () => {
  const expected: Record<CorpusKey, DocumentMetadata> = {
    policy2018: {
      title: 'U.S. Conventional Arms Transfer Policy',
      kind: 'policy_statement',
      issuingOffice: 'Bureau of Political Military Affairs',
      publishedOn: '2018-04-19',
      contacts: ['armstransferprocess@state.gov'],
    },
    factSheet: {
      title: 'Implementation of the Conventional Arms Transfer (CAT) Policy',
      kind: 'fact_sheet',
      issuingOffice: 'Office of the Spokesperson',
      publishedOn: '2018-07-16',
      contacts: ['pm-cpa@state.gov'],
    },
    csis: {
      title: 'The US State Department has proposed changes to partnership states of the Missile…',
      kind: 'press_article',
      issuingOffice: null,
      publishedOn: null,
      contacts: [],
    },
    policy2023: {
      title: 'The U.S. Conventional Arms Transfer Policy',
      kind: 'policy_statement',
      issuingOffice: null,
      publishedOn: null,
      contacts: ['pm-cpa@state.gov'],
    },
    mission: {
      title: 'Office of Conventional Arms Threat Reduction (ISN/CATR): Mission Statement',
      kind: 'office_mission',
      issuingOffice: 'Office of Conventional Arms Threat Reduction (ISN/CATR)',
      publishedOn: null,
      contacts: [],
    },
  };

  for (const [key, meta] of Object.entries(expected) as Array<[CorpusKey, DocumentMetadata]>) {
    it(`${CORPUS_FILES[key]}`, () => {
      expect(metaOf(key)).toEqual(meta);
    });
  }

  it('never takes a date from the body: "On July 13, 2018", "October 2022" and "1977" are not publication dates', () => {
    expect(readCorpus('factSheet')).toContain('On July 13, 2018 the Secretary');
    expect(metaOf('factSheet').publishedOn).toBe('2018-07-16');
    expect(readCorpus('policy2023')).toMatch(/October 2022[\s\S]*1977|1977[\s\S]*October 2022/);
    expect(metaOf('policy2023').publishedOn).toBeNull();
  });

  it('does not take the date from the file name', () => {
    const text = readCorpus('policy2023');
    const meta = extractMetadata(cleanText(text), txt('2023-05-01-revised-policy.txt'));
    expect(meta.publishedOn).toBeNull();
  });
});

describe('parseDateLine', () => {
  const cases: Array<[string, string | null]> = [
    ['April 19, 2018', '2018-04-19'],
    ['July 16, 2018', '2018-07-16'],
    ['  July 16, 2018  ', '2018-07-16'],
    ['Jul 16 2018', '2018-07-16'],
    ['Sept. 5, 2019', '2019-09-05'],
    ['SEPTEMBER 5, 2019', '2019-09-05'],
    ['16 July 2018', '2018-07-16'],
    ['2018-07-16', '2018-07-16'],
    ['February 29, 2024', '2024-02-29'],
    ['December 31, 1999', '1999-12-31'],
    // Invalid calendar dates are rejected, never rolled over into the next month.
    ['February 30, 2023', null],
    ['February 29, 2023', null],
    ['April 31, 2018', null],
    ['0 July 2018', null],
    ['July 0, 2018', null],
    ['2018-13-01', null],
    ['2018-00-10', null],
    ['2018-02-30', null],
    // Not a date line at all.
    ['July 2018', null],
    ['2018', null],
    ['July 16, 2018.', null],
    ['On July 13, 2018 the Secretary of State submitted the plan', null],
    ['07/16/2018', null],
    ['', null],
    // Words that merely begin like a month are not months.
    ['Junk 5, 2019', null],
    ['Mayday 1, 2020', null],
    ['Decimal 5, 2020', null],
    ['5 Octopus 2020', null],
  ];
  for (const [input, out] of cases) {
    it(`${JSON.stringify(input)} → ${out}`, () => {
      expect(parseDateLine(input)).toBe(out);
    });
  }
});

describe('extractMetadata on small documents', () => {
  it('takes a publication date only from the letterhead, not from a date line deep in the body', () => {
    const blocks = ['Bureau of Arms Control', 'Annual Review', LONG, LONG, LONG, LONG, LONG, LONG, LONG, LONG, 'March 3, 2020'];
    expect(metaOfText(blocks.join('\n\n')).publishedOn).toBeNull();
    expect(metaOfText(['Bureau of Arms Control', 'March 3, 2020', 'Annual Review', LONG].join('\n\n'))).toMatchObject({
      publishedOn: '2020-03-03',
      issuingOffice: 'Bureau of Arms Control',
      title: 'Annual Review',
    });
  });

  it('uses an HTML or Markdown publication date from the format, but not a PDF or DOCX creation date', () => {
    const text = `Annual Review\n\n${LONG}`;
    expect(metaOfText(text, { format: 'html', meta: { date: '2021-06-01T09:00:00Z' } }).publishedOn).toBe('2021-06-01');
    expect(metaOfText(text, { format: 'md', meta: { date: '2021-06-01' } }).publishedOn).toBe('2021-06-01');
    expect(metaOfText(text, { format: 'pdf', meta: { date: '2021-06-01' } }).publishedOn).toBeNull();
    expect(metaOfText(text, { format: 'docx', meta: { date: '2021-06-01' } }).publishedOn).toBeNull();
    expect(metaOfText(text, { format: 'html', meta: { date: '2021-02-30' } }).publishedOn).toBeNull();
    expect(metaOfText(text, { format: 'html', meta: { date: 'yesterday' } }).publishedOn).toBeNull();
  });

  it('prefers a date stated in the text over the format metadata', () => {
    expect(metaOfText(`May 2, 2022\n\nAnnual Review\n\n${LONG}`, { format: 'html', meta: { date: '2021-06-01' } }).publishedOn).toBe(
      '2022-05-02',
    );
  });

  it('prefers the title the format carries', () => {
    expect(metaOfText(`Annual Review\n\n${LONG}`, { format: 'html', meta: { title: '  Page Title  ' } }).title).toBe('Page Title');
  });

  it('title-cases an all-caps title', () => {
    expect(metaOfText(`ANNUAL ARMS SALES REVIEW\n\n${LONG}`).title).toBe('Annual Arms Sales Review');
  });

  it('falls back to the first sentence for untitled text, shortened at a word boundary', () => {
    expect(metaOfText('Short lead sentence here. Then more text follows.').title).toBe('Short lead sentence here');
    const title = metaOfText(LONG).title;
    expect(title.endsWith('…')).toBe(true);
    expect(LONG.startsWith(title.slice(0, -1))).toBe(true);
    expect(title.length).toBeLessThanOrEqual(91);
  });

  it('names the department when no office is given, and no issuer when neither is', () => {
    expect(metaOfText(`U.S. Department of State\n\nAnnual Review\n\n${LONG}`).issuingOffice).toBe('U.S. Department of State');
    expect(metaOfText(`Annual Review\n\n${LONG}`).issuingOffice).toBeNull();
  });

  it('recognises kind labels in the letterhead', () => {
    expect(metaOfText(`Media Note\n\nAnnual Review\n\n${LONG}`).kind).toBe('policy_statement');
    expect(metaOfText(`Fact Sheet\n\nAnnual Review\n\n${LONG}`).kind).toBe('fact_sheet');
    expect(metaOfText(`Annual Review\n\n${LONG.replace('of the policy', 'we publish')}`).kind).toBe('document');
    expect(metaOfText(`Annual Review\n\n${LONG}`).kind).toBe('policy_statement');
    expect(metaOfText(`Implementation Plan for Exports\n\n${LONG}`).kind).toBe('implementation_plan');
  });

  it('collects contact addresses once each, lower-cased, without trailing dots or Twitter handles', () => {
    const meta = metaOfText(
      `Annual Review\n\n${LONG} Write to Policy.Desk@State.gov or policy.desk@state.gov, or to ops-team@example.org. Follow @StateDeptPM.`,
    );
    expect(meta.contacts).toEqual(['policy.desk@state.gov', 'ops-team@example.org']);
  });
});
