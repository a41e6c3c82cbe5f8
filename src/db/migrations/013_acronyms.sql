-- Acronyms and their expansions as the stored documents define them ("Defense Technology
-- Security Agency (DTSA)"), mined at ingest (src/text/acronyms.ts, src/db/acronyms.ts) and used
-- in both directions when a question is understood. Rows belong to their document: replacing or
-- deleting it replaces or deletes them.
CREATE TABLE IF NOT EXISTS acronyms (
  document_id text NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  -- Normalised short form (acronymKey): "uas" for "UAS", "U.A.S." and "UASs".
  key text NOT NULL,
  short text NOT NULL,
  long text NOT NULL,
  PRIMARY KEY (document_id, key, long)
);
CREATE INDEX IF NOT EXISTS acronyms_key_idx ON acronyms (key);

-- Which version of each document its acronyms were mined from: a document whose content hash
-- differs (or that has no row) is mined again, so a store that predates this table, or an
-- ingest cut off between writing a document and mining it, catches up by itself.
CREATE TABLE IF NOT EXISTS acronym_sources (
  document_id text PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
  content_hash text NOT NULL
);

-- Typo correction looks for corpus lexemes that resemble an unknown word (pg_trgm similarity).
CREATE INDEX IF NOT EXISTS lexeme_stats_trgm_idx ON lexeme_stats USING gin (lexeme gin_trgm_ops);
