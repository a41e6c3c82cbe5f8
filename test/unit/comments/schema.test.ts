import { describe, expect, it } from 'vitest';
import { DEFAULT_COMMENT_TOPICS, loadConfig, parseCommentTopics } from '../../../src/config.ts';
import { COMMENT_LIMITS, fieldErrorsFrom, validateCommentInput, commentInputSchema } from '../../../src/comments/schema.ts';
import { AppError } from '../../../src/errors.ts';
import { sampleInput, testConfig } from '../../helpers/comments.ts';

const topics = testConfig().comments.topics;

function errorsFor(input: object): Record<string, string> {
  const r = validateCommentInput(input, topics);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(input)}`);
  return r.errors;
}

describe('comment topics configuration', () => {
  it('derives slugs from the default labels', () => {
    expect(parseCommentTopics(DEFAULT_COMMENT_TOPICS).map((t) => t.slug)).toEqual([
      'prioritizing-strategic-competition',
      'organizing-for-success',
      'creating-conducive-environments',
      'human-rights-and-ihl',
      'export-controls-and-itar',
      'mtcr-and-uas',
      'other',
    ]);
  });

  it('accepts pinned slugs and rejects duplicates, empties and over-long labels with the variable named', () => {
    expect(parseCommentTopics('hr=Human rights, Other')).toEqual([
      { slug: 'hr', label: 'Human rights' },
      { slug: 'other', label: 'Other' },
    ]);
    for (const bad of ['A, a', ' , ', `${'x'.repeat(80)}`, '!!!']) {
      expect(() => parseCommentTopics(bad)).toThrow(/COMMENT_TOPICS/);
    }
  });

  it('reads the comment variables, and rejects malformed staff ids and thresholds', () => {
    const c = loadConfig({ STAFF_USER_IDS: 'U1AB, W2CD ,', STAFF_USERGROUP_ID: 'S0123', COMMENT_NEAR_DUPLICATE_THRESHOLD: '0.7' }, '/tmp');
    expect(c.comments).toMatchObject({ staffUserIds: ['U1AB', 'W2CD'], staffUsergroupId: 'S0123', nearDuplicateThreshold: 0.7 });
    expect(loadConfig({}, '/tmp').comments).toMatchObject({ staffUserIds: [], staffUsergroupId: undefined, nearDuplicateThreshold: 0.6 });
    expect(() => loadConfig({ STAFF_USER_IDS: 'jane' }, '/tmp')).toThrow(/STAFF_USER_IDS/);
    expect(() => loadConfig({ STAFF_USERGROUP_ID: 'U123' }, '/tmp')).toThrow(/STAFF_USERGROUP_ID/);
    expect(() => loadConfig({ COMMENT_NEAR_DUPLICATE_THRESHOLD: '2' }, '/tmp')).toThrow(AppError);
  });
});

describe('the comment schema', () => {
  it('accepts a complete comment and normalises it', () => {
    const r = validateCommentInput(
      sampleInput({ submitterName: '  Jane  ', topic: 'MTCR and UAS', organizationType: 'NGO', consentToPublish: 'Yes', text: 'a\r\nb', email: '', receivedAt: '2024-01-02' }),
      topics,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ submitterName: 'Jane', topic: 'mtcr-and-uas', organizationType: 'ngo', consentToPublish: true, text: 'a\nb' });
    expect(r.value.email).toBeUndefined();
    expect(r.value.receivedAt.toISOString()).toBe('2024-01-02T00:00:00.000Z');
    expect(r.value.attachments).toEqual([]);
  });

  it('gives one message per wrong field, saying what to fix, all at once', () => {
    const errors = errorsFor({ source: 'slack_modal', email: 'jane@', text: '  ', consentToPublish: 'maybe', organizationType: 'company' });
    expect(Object.keys(errors).sort()).toEqual(['consentToPublish', 'email', 'organizationType', 'submitterName', 'text', 'topic']);
    expect(errors.submitterName).toBe('Enter your name.');
    expect(errors.email).toMatch(/valid e-mail address, like name@example.org/);
    expect(errors.organizationType).toMatch(/Industry, NGO, Academia, Government, Individual, Other/);
    expect(errors.text).toMatch(/Enter the comment text/);
    expect(errors.consentToPublish).toMatch(/yes or no/);
    expect(errors.topic).toMatch(/Choose a topic: Prioritizing strategic competition/);
  });

  it('requires a topic from the modal only; other paths may leave it to triage', () => {
    expect(errorsFor(sampleInput({ topic: undefined })).topic).toMatch(/Choose a topic/);
    expect(validateCommentInput(sampleInput({ topic: undefined, source: 'email' }), topics).ok).toBe(true);
    expect(errorsFor(sampleInput({ topic: 'baking', source: 'csv' })).topic).toMatch(/Choose one of the topics/);
  });

  it('bounds the text at 20,000 characters and says how long it was', () => {
    expect(validateCommentInput(sampleInput({ text: 'x'.repeat(COMMENT_LIMITS.textChars) }), topics).ok).toBe(true);
    expect(errorsFor(sampleInput({ text: 'x'.repeat(20_001) })).text).toBe(
      'The comment is 20,001 characters; the limit is 20,000. Shorten it, or attach the full text as a file and summarize it here.',
    );
  });

  it('bounds names and organizations', () => {
    expect(errorsFor(sampleInput({ submitterName: 'n'.repeat(201) })).submitterName).toMatch(/200 characters/);
    expect(errorsFor(sampleInput({ organization: 'o'.repeat(121) })).organization).toMatch(/121 characters; shorten it to 120/);
  });

  it('checks attachments and names the file in the message', () => {
    const big = { name: 'annex.pdf', mime: 'application/pdf', size: 30 * 1024 * 1024, text: 'text' };
    expect(errorsFor(sampleInput({ attachments: [big] })).attachments).toMatch(/^"annex.pdf" is larger than 25 MB, so its text is not read/);
    // Recorded without text, a large file is fine.
    expect(validateCommentInput(sampleInput({ attachments: [{ ...big, text: null }] }), topics).ok).toBe(true);
    expect(errorsFor(sampleInput({ attachments: [{ name: ' ', size: 1 }] })).attachments).toMatch(/^Attachment 1: Each attachment needs a file name/);
    const many = Array.from({ length: 21 }, (_, i) => ({ name: `f${i}.txt`, size: 1 }));
    expect(errorsFor(sampleInput({ attachments: many })).attachments).toMatch(/At most 20 attachments/);
  });

  it('rejects unparseable and future dates, and unknown sources', () => {
    expect(errorsFor(sampleInput({ receivedAt: 'last Tuesday' })).receivedAt).toMatch(/YYYY-MM-DD/);
    expect(errorsFor(sampleInput({ receivedAt: new Date(Date.now() + 3 * 86400_000) })).receivedAt).toMatch(/future/);
    expect(errorsFor({ ...sampleInput(), source: 'fax' }).source).toMatch(/slack_modal, slack_message, email, csv/);
  });

  it('maps a zod error to fields directly too', () => {
    const parsed = commentInputSchema(topics).safeParse({ ...sampleInput(), email: 'nope' });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(fieldErrorsFrom(parsed.error)).toEqual({ email: 'Enter a valid e-mail address, like name@example.org.' });
  });
});
