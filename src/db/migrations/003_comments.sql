-- Stakeholder comments and the review queue (src/comments/).

-- A group of comments that are the same text (exact) or nearly so (pg_trgm similarity above the
-- measured threshold): a mass-comment campaign. `size` counts its members, like regulations.gov's
-- duplicateComments + 1; it is kept by the same transaction that changes membership.
CREATE TABLE campaigns (
  id text PRIMARY KEY,
  size integer NOT NULL DEFAULT 0 CHECK (size >= 0),
  -- The first comment of the group: the one a reviewer reads for all of them.
  representative_id integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE comments (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- What the submitter is told and quotes back: regulations.gov style, e.g. l2z-02tq-bsbu.
  tracking_number text NOT NULL UNIQUE CHECK (tracking_number ~ '^[0-9a-z]{3}-[0-9a-z]{4}-[0-9a-z]{4}$'),
  -- Slack view id / event id, e-mail Message-ID, CSV row id or hash: a second submission with the
  -- same key finds this row instead of adding one.
  idempotency_key text UNIQUE,
  submitter_name text NOT NULL,
  email text,
  organization text,
  organization_type text NOT NULL
    CHECK (organization_type IN ('industry', 'ngo', 'academia', 'government', 'individual', 'other')),
  on_behalf_of text,
  -- A configured topic slug as the submitter chose it; NULL when the intake path had no choice (e-mail).
  topic text,
  document_id text REFERENCES documents (id) ON DELETE SET NULL,
  title text,
  body text NOT NULL,
  consent_to_publish boolean NOT NULL,
  source text NOT NULL CHECK (source IN ('slack_modal', 'slack_message', 'email', 'csv')),
  -- Where it came from: a Slack permalink, "Message-ID <...>", "file.csv row 7".
  source_ref text,
  slack_user_id text,
  slack_team_id text,
  submitter_external boolean NOT NULL DEFAULT false,
  received_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'new'
    CHECK (status IN ('new', 'triaged', 'in_review', 'responded', 'closed', 'duplicate', 'spam')),
  assignee text,
  tags text[] NOT NULL DEFAULT '{}',
  -- Comment text plus attachment text with greeting and signature removed, lower-cased: what
  -- duplicates are found by. text_hash is its SHA-256 (exact duplicates).
  dedupe_text text NOT NULL,
  text_hash text NOT NULL,
  campaign_id text REFERENCES campaigns (id) ON DELETE SET NULL,
  duplicate_kind text CHECK (duplicate_kind IN ('exact', 'near')),
  duplicate_similarity real,
  -- Triage suggestions: never written over `topic`; shown labelled as suggestions.
  suggested_topic text,
  suggested_topic_score real,
  suggested_topic_method text,
  -- Kinds of personal data found in the text or attachments: email, phone, street_address, ssn.
  personal_data text[] NOT NULL DEFAULT '{}',
  posted_at timestamptz,
  tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(title, '') || ' ' || body)) STORED
);

CREATE INDEX comments_status_idx ON comments (status, received_at);
CREATE INDEX comments_received_idx ON comments (received_at);
CREATE INDEX comments_topic_idx ON comments (topic);
CREATE INDEX comments_assignee_idx ON comments (assignee) WHERE assignee IS NOT NULL;
CREATE INDEX comments_campaign_idx ON comments (campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX comments_hash_idx ON comments (text_hash);
CREATE INDEX comments_slack_user_idx ON comments (slack_user_id) WHERE slack_user_id IS NOT NULL;
CREATE INDEX comments_email_idx ON comments (lower(email)) WHERE email IS NOT NULL;
CREATE INDEX comments_tsv_idx ON comments USING gin (tsv);
CREATE INDEX comments_dedupe_trgm_idx ON comments USING gin (dedupe_text gin_trgm_ops);

ALTER TABLE campaigns
  ADD CONSTRAINT campaigns_representative_fk FOREIGN KEY (representative_id) REFERENCES comments (id) ON DELETE SET NULL;

-- Only metadata and extracted text are kept; the file itself stays where it was sent (Slack, the mailbox).
CREATE TABLE comment_attachments (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  comment_id integer NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
  ordinal integer NOT NULL,
  name text NOT NULL,
  mime text NOT NULL,
  size_bytes integer NOT NULL CHECK (size_bytes >= 0),
  url text,
  extracted_text text,
  -- Why there is no text ("unsupported type", "scanned PDF"), or that it was truncated.
  extraction_note text,
  tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', name || ' ' || coalesce(extracted_text, ''))) STORED,
  UNIQUE (comment_id, ordinal)
);
CREATE INDEX comment_attachments_tsv_idx ON comment_attachments USING gin (tsv);

CREATE TABLE comment_notes (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  comment_id integer NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
  author text NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comment_notes_comment_idx ON comment_notes (comment_id);

-- Append-only: every change to a comment, written in the transaction that makes the change.
CREATE TABLE comment_audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  comment_id integer NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
  actor text NOT NULL,
  action text NOT NULL,
  from_value text,
  to_value text,
  note text,
  -- clock_timestamp, not now(): entries of one transaction keep their order in time.
  at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX comment_audit_comment_idx ON comment_audit (comment_id, id);
