import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXPORT_FIELDS, parseExportCsv, recordsToCsv, splitName, type ExportRecord } from '../../../src/comments/export.ts';
import { COMMENT_STATUSES } from '../../../src/comments/schema.ts';

const base: ExportRecord = {
  trackingNbr: 'abc-1234-wxyz',
  receiveDate: '2024-03-01T00:00:00.000Z',
  postedDate: null,
  modifyDate: '2024-03-02T10:00:00.000Z',
  firstName: 'Jane',
  lastName: 'Doe',
  email: 'jane@example.org',
  organization: 'Acme, Inc.',
  submitterType: 'ORGANIZATION',
  organizationType: 'industry',
  onBehalfOf: null,
  category: 'Export controls and ITAR',
  topic: 'export-controls-and-itar',
  title: null,
  comment: 'Line one,\n"quoted"\nline three',
  commentOnDocumentId: null,
  duplicateComments: 3,
  campaignId: 'cmp-0123456789',
  duplicateKind: 'near',
  consentToPublish: false,
  restrictReason: 'The submitter did not consent to publication.',
  status: 'in_review',
  assignee: 'U123',
  tags: ['itar', 'needs reply'],
  source: 'email',
  sourceRef: 'Message-ID <a@b>',
  attachments: ['letter; final.pdf', 'annex "B".docx'],
  suggestedTopic: 'export-controls-and-itar',
  suggestedTopicMethod: 'keywords',
  personalDataFlag: true,
  personalDataKinds: ['email'],
  documentId: 'DOS-2018-0012-0005',
  docketId: 'DOS-2018-0012',
  organizationLabel: 'Trade Association',
  rawComment: 'Line one,<br/>"quoted"',
  sourceDuplicateComments: 2,
  position: 'opposes',
  positionQuote: 'Line one,',
  positionMethod: 'cues',
};

describe('export CSV', () => {
  it('has the regulations.gov field names first, then Policy Desk fields', () => {
    const header = recordsToCsv([base]).replace(/^\uFEFF/, '').split('\r\n')[0]!.split(',');
    expect(header.slice(0, 8)).toEqual(['trackingNbr', 'receiveDate', 'postedDate', 'modifyDate', 'firstName', 'lastName', 'email', 'organization']);
    for (const f of ['category', 'comment', 'duplicateComments', 'restrictReason', 'consentToPublish', 'campaignId', 'personalDataFlag']) expect(header).toContain(f);
  });

  it('parses back to the same records', () => {
    const records = [base, { ...base, trackingNbr: 'zzz-0000-0000', firstName: null, tags: [], attachments: [], consentToPublish: true, restrictReason: null }];
    expect(parseExportCsv(recordsToCsv(records))).toEqual(records);
  });

  it('defuses spreadsheet formulas and still round-trips them', () => {
    const risky = { ...base, comment: '=HYPERLINK("http://evil")', title: "'quoted already", organization: '+1 Group', lastName: '@home' };
    const csv = recordsToCsv([risky]);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(csv).not.toMatch(/[,\n]=HYPERLINK/);
    expect(parseExportCsv(csv)).toEqual([risky]);
  });

  it('round-trips any text in any text field (property, fixed seed)', () => {
    const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 200 });
    const nullableText = fc.option(text, { nil: null });
    const record = fc.record({
      trackingNbr: text,
      firstName: nullableText,
      lastName: text,
      organization: nullableText,
      title: nullableText,
      comment: text,
      sourceRef: nullableText,
      duplicateComments: fc.nat({ max: 100_000 }),
      consentToPublish: fc.boolean(),
      status: fc.constantFrom(...COMMENT_STATUSES),
      tags: fc.array(text, { maxLength: 4 }),
      attachments: fc.array(text, { maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 5 }), (parts) => {
        const records = parts.map((p) => ({ ...base, ...p }));
        expect(parseExportCsv(recordsToCsv(records))).toEqual(records);
      }),
      { seed: 20261122, numRuns: 200 },
    );
  });

  it('refuses a CSV that is not an export', () => {
    expect(() => parseExportCsv('a,b\n1,2\n')).toThrow(/Not a Policy Desk export/);
  });

  it('lists every record field once', () => {
    expect(EXPORT_FIELDS.map(([f]) => f).sort()).toEqual(Object.keys(base).sort());
  });
});

describe('splitName', () => {
  it('takes the last word as the last name', () => {
    expect(splitName('Maria de la Cruz')).toEqual({ firstName: 'Maria de la', lastName: 'Cruz' });
    expect(splitName('Cher')).toEqual({ firstName: null, lastName: 'Cher' });
  });
});
