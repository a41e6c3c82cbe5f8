import { parseCommentTopics, DEFAULT_COMMENT_TOPICS } from '../../../src/config.ts';
import type { CommentDetails, QueueHome } from '../../../src/comments/queue.ts';
import { COMMENT_STATUSES, ORGANIZATION_TYPES, type Comment } from '../../../src/comments/schema.ts';

export const TOPICS = parseCommentTopics(DEFAULT_COMMENT_TOPICS);

/** A stored comment as the domain returns it, for view builder tests. */
export function sampleComment(overrides: Partial<Comment> = {}): Comment {
  const at = new Date('2026-03-04T14:30:00Z');
  return {
    id: 42,
    trackingNumber: 'l2z-02tq-bsbu',
    submitterName: 'Jane Doe',
    email: 'jane@example.org',
    organization: 'Example Coalition',
    organizationType: 'ngo',
    onBehalfOf: null,
    topic: 'human-rights-and-ihl',
    documentId: null,
    title: null,
    text: 'We ask the Department to strengthen end-use monitoring <and> reporting & to publish the results.',
    attachments: [{ name: 'letter.pdf', mime: 'application/pdf', size: 12_345, url: 'https://files.slack.com/files-pri/T1-F1/letter.pdf', textChars: 2_000, note: null }],
    consentToPublish: false,
    source: 'slack_modal',
    sourceRef: null,
    slackUserId: 'USUBMIT1',
    slackTeamId: 'T1',
    submitterExternal: true,
    receivedAt: at,
    createdAt: at,
    updatedAt: at,
    status: 'new',
    assignee: null,
    tags: ['itar'],
    campaignId: 'cmp-1a2b3c4d5e',
    similarCount: 3,
    duplicateKind: 'near',
    suggestedTopic: 'export-controls-and-itar',
    suggestedTopicScore: 0.4,
    suggestedTopicMethod: 'keywords',
    personalData: ['email'],
    postedAt: null,
    sourceDocumentId: null,
    commentOnRef: null,
    docketId: null,
    organizationLabel: null,
    duplicateComments: 0,
    rawText: null,
    sourceFields: null,
    sourceStance: null,
    position: null,
    positionQuote: null,
    positionMethod: null,
    ...overrides,
  };
}

export function sampleDetails(overrides: Partial<CommentDetails> = {}): CommentDetails {
  const comment = sampleComment();
  return {
    comment,
    attachmentTexts: [{ name: 'letter.pdf', text: 'The attached letter explains our position in detail.' }],
    notes: [{ id: 1, author: 'USTAFF01', body: 'Called them.', createdAt: comment.receivedAt }],
    audit: [{ id: 1, actor: 'USUBMIT1', action: 'submitted', from: null, to: 'new', note: 'slack_modal', at: comment.receivedAt }],
    similar: [],
    ...overrides,
  };
}

export function sampleHome(overrides: Partial<QueueHome> = {}): QueueHome {
  const byStatus = Object.fromEntries(COMMENT_STATUSES.map((s) => [s, 1])) as QueueHome['counts']['byStatus'];
  const byOrganizationType = Object.fromEntries(ORGANIZATION_TYPES.map((t) => [t, 1])) as QueueHome['counts']['byOrganizationType'];
  return {
    counts: { total: 7, open: 3, byStatus, byTopic: TOPICS.map((t) => ({ topic: t.slug, label: t.label, count: 1 })), byOrganizationType },
    mine: [sampleComment({ assignee: 'USTAFF01', status: 'in_review' })],
    oldestUnreviewed: [sampleComment({ id: 43, trackingNumber: 'abc-1234-wxyz' })],
    ...overrides,
  };
}
