/**
 * A comment's fixed vocabularies: organization types, sources, states, positions, and their
 * labels. Plain constants with no dependencies, so the command line can name them in its help
 * without loading the record's zod schema (src/comments/schema.ts re-exports them).
 */

export const ORGANIZATION_TYPES = ['industry', 'ngo', 'academia', 'government', 'individual', 'other'] as const;
export type OrganizationType = (typeof ORGANIZATION_TYPES)[number];
export const ORGANIZATION_TYPE_LABELS: Record<OrganizationType, string> = {
  industry: 'Industry',
  ngo: 'NGO',
  academia: 'Academia',
  government: 'Government',
  individual: 'Individual',
  other: 'Other',
};

export const COMMENT_SOURCES = ['slack_modal', 'slack_message', 'email', 'csv', 'regulations_gov'] as const;
export type CommentSource = (typeof COMMENT_SOURCES)[number];

export const COMMENT_STATUSES = ['new', 'triaged', 'in_review', 'responded', 'closed', 'duplicate', 'spam'] as const;
export type CommentStatus = (typeof COMMENT_STATUSES)[number];
export const STATUS_LABELS: Record<CommentStatus, string> = {
  new: 'New',
  triaged: 'Triaged',
  in_review: 'In review',
  responded: 'Responded',
  closed: 'Closed',
  duplicate: 'Duplicate',
  spam: 'Spam',
};

export const PERSONAL_DATA_KINDS = ['email', 'phone', 'street_address', 'ssn'] as const;
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number];

/** What a comment without a name is called, as on regulations.gov. */
export const ANONYMOUS = 'Anonymous';

/** A comment's position on the proposal its docket answers (src/comments/positions.ts). */
export const POSITIONS = ['supports', 'opposes', 'mixed', 'unclear'] as const;
export type Position = (typeof POSITIONS)[number];
export const POSITION_LABELS: Record<Position, string> = { supports: 'Supports', opposes: 'Opposes', mixed: 'Mixed', unclear: 'Unclear' };
