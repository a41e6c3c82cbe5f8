-- Key/value facts about the store itself, e.g. which embedder built the vectors.
CREATE TABLE store_meta (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE documents (
  id text PRIMARY KEY,
  title text NOT NULL,
  kind text NOT NULL,
  issuing_office text,
  published_on date,
  source text NOT NULL UNIQUE,
  source_url text,
  format text NOT NULL,
  content_hash text NOT NULL,
  pipeline_version text NOT NULL,
  contacts text[] NOT NULL DEFAULT '{}',
  -- The cleaned text: every chunk's start/end offsets point into it.
  body text NOT NULL,
  ingested_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE chunks (
  id text PRIMARY KEY,
  document_id text NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  ordinal integer NOT NULL,
  heading_path text[] NOT NULL DEFAULT '{}',
  -- Title and headings as one string, weighted above body words in full-text ranking.
  context text NOT NULL DEFAULT '',
  body text NOT NULL,
  start_offset integer NOT NULL,
  end_offset integer NOT NULL,
  tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', context), 'B') || setweight(to_tsvector('english', body), 'A')
  ) STORED,
  -- Untyped so the dimension follows the configured embedder; queries cast to vector(N).
  embedding vector,
  UNIQUE (document_id, ordinal),
  CHECK (start_offset >= 0 AND end_offset > start_offset)
);

CREATE INDEX chunks_tsv_idx ON chunks USING gin (tsv);
CREATE INDEX chunks_document_idx ON chunks (document_id);
CREATE INDEX documents_published_idx ON documents (published_on);
