-- Real dockets (src/comments/import-records.ts, src/comments/positions.ts): what regulations.gov
-- exports carry, kept as they came, and each comment's position on the proposal it answers.

-- The comment's own id at the source: regulations.gov's `Document ID` (e.g. DOS-2018-0012-0005,
-- exported as `documentId`). It is NOT the document commented on (`document_id`, an ingested
-- document, or `comment_on_ref` as the source named it).
ALTER TABLE comments ADD COLUMN source_document_id text;
CREATE INDEX comments_source_document_idx ON comments (source_document_id) WHERE source_document_id IS NOT NULL;
-- `Comment on Document ID` as given, whether or not that document is ingested here.
ALTER TABLE comments ADD COLUMN comment_on_ref text;
-- `Docket ID` (e.g. DOS-2018-0012); NULL when the source did not say.
ALTER TABLE comments ADD COLUMN docket_id text;
CREATE INDEX comments_docket_idx ON comments (docket_id, id);
-- The organization type as the source labelled it ("Constituent", "Manufacturer/food industry");
-- organization_type is its mapping onto the queue's six categories.
ALTER TABLE comments ADD COLUMN organization_label text;
-- The text as it arrived (markup, entities) when cleaning changed it; NULL when identical. `body` is the clean text.
ALTER TABLE comments ADD COLUMN raw_body text;
-- regulations.gov's `Duplicate Comments`: identical copies counted behind this one posted comment.
ALTER TABLE comments ADD COLUMN duplicate_comments integer NOT NULL DEFAULT 0 CHECK (duplicate_comments >= 0);
-- Other fields of the source row worth keeping (city, state, country, agency, tracking number there).
ALTER TABLE comments ADD COLUMN source_fields jsonb;
-- A stance label that came with the row (an analyst's `stance` column): kept, shown, never used to decide `position`.
ALTER TABLE comments ADD COLUMN source_stance text;

-- Position on the docket's proposal, with the verbatim sentence that shows it. `position_method`:
-- cues (offline), llm, campaign (its form letter's), reviewer (a correction, never overwritten).
ALTER TABLE comments ADD COLUMN position text CHECK (position IN ('supports', 'opposes', 'mixed', 'unclear'));
ALTER TABLE comments ADD COLUMN position_quote text;
ALTER TABLE comments ADD COLUMN position_method text;
CREATE INDEX comments_position_idx ON comments (position);

-- Comments imported from regulations.gov's v4 API JSON.
ALTER TABLE comments DROP CONSTRAINT IF EXISTS comments_source_check;
ALTER TABLE comments ADD CONSTRAINT comments_source_check
  CHECK (source IN ('slack_modal', 'slack_message', 'email', 'csv', 'regulations_gov'));

-- What a docket's comments respond to: the proposal in one line and the document it is in.
-- id '' is the default docket (comments whose source named none).
CREATE TABLE dockets (
  id text PRIMARY KEY,
  proposal text,
  comment_on_document_id text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
