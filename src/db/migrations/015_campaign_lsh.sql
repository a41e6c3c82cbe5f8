-- Campaign grouping that scales (src/comments/dedupe.ts, src/comments/minhash.ts).
--
-- Each comment's MinHash signature is cut into bands; one row per band. Comments that share a
-- band key are near-duplicate candidates, found through the btree on the key (one index probe a
-- band) instead of comparing the comment with every earlier one. Candidates are then checked
-- exactly (pg_trgm similarity of the two dedupe texts) before they are grouped.
CREATE TABLE comment_lsh_bands (
  band_key bigint NOT NULL,
  comment_id integer NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
  PRIMARY KEY (band_key, comment_id)
);
CREATE INDEX comment_lsh_bands_comment_idx ON comment_lsh_bands (comment_id);

-- Which LSH parameters the comment's stored bands were made with (minhash.ts LSH_VERSION); NULL:
-- none stored yet (comments from before this migration, or whose text is still incomplete). The
-- grouping computes the missing ones first, so an old store upgrades with no manual step.
ALTER TABLE comments ADD COLUMN lsh_version smallint;
CREATE INDEX comments_lsh_missing_idx ON comments (id) WHERE lsh_version IS NULL;

-- True until campaign grouping has looked at the comment. Existing comments were grouped by the
-- old path (false); new ones start true. A bulk import commits comments batch by batch and then
-- groups them; a killed import leaves whole comments still pending, and the next import (or
-- `comments regroup --pending`) finishes their grouping.
ALTER TABLE comments ADD COLUMN grouping_pending boolean NOT NULL DEFAULT false;
ALTER TABLE comments ALTER COLUMN grouping_pending SET DEFAULT true;
CREATE INDEX comments_grouping_pending_idx ON comments (id) WHERE grouping_pending;

-- Copies a campaign stands for: its members plus the identical copies regulations.gov counted
-- behind each of them (`Duplicate Comments`). `size` stays the number of stored members.
ALTER TABLE campaigns ADD COLUMN copies integer NOT NULL DEFAULT 0;
UPDATE campaigns SET copies = size;

-- The all-pairs trigram lookup (`dedupe_text % $1`) is gone; its GIN index only slowed writes.
DROP INDEX IF EXISTS comments_dedupe_trgm_idx;
