-- Document frequencies for full-text ranking. A question's idf weights used to come from counting
-- the chunks that match each of its words, which grows with the corpus (tens of milliseconds a
-- word at 20,000 chunks, a full scan for the total); these two tables answer it with one index
-- lookup a word. Statement-level triggers on chunks keep them exact for every write path
-- (ingest, replacement, cascaded deletes, truncation), in the writing transaction, so a
-- rolled-back or killed batch leaves them as they were.

-- How many chunks contain each lexeme (in body or context): what `tsv @@ 'lexeme'` would count.
-- A lexeme whose chunks are all gone keeps a row with df = 0, which reads the same as no row.
CREATE TABLE IF NOT EXISTS lexeme_stats (
  lexeme text PRIMARY KEY,
  df integer NOT NULL
) WITH (fillfactor = 80);

-- The number of chunks: one row.
CREATE TABLE IF NOT EXISTS chunk_stats (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  chunks bigint NOT NULL
);

-- Counted afresh from the chunks (ts_stat's ndoc: rows containing the word), so running this
-- file again on a store that has the tables recomputes them rather than adding twice.
DELETE FROM chunk_stats;
DELETE FROM lexeme_stats;
INSERT INTO chunk_stats (chunks) SELECT count(*) FROM chunks;
INSERT INTO lexeme_stats (lexeme, df) SELECT word, ndoc FROM ts_stat('SELECT tsv FROM chunks');

-- Rows are upserted in lexeme order, so two transactions writing chunks at once lock the rows
-- they share in the same order and cannot deadlock. `SET search_path FROM CURRENT` pins the
-- schema the tables were created in.
CREATE OR REPLACE FUNCTION chunks_stats_insert() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO lexeme_stats AS s (lexeme, df)
    SELECT u.lexeme, count(*) FROM new_rows n, unnest(n.tsv) AS u GROUP BY u.lexeme ORDER BY u.lexeme
    ON CONFLICT (lexeme) DO UPDATE SET df = s.df + EXCLUDED.df;
  UPDATE chunk_stats SET chunks = chunks + (SELECT count(*) FROM new_rows);
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION chunks_stats_delete() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO lexeme_stats AS s (lexeme, df)
    SELECT u.lexeme, -count(*) FROM old_rows o, unnest(o.tsv) AS u GROUP BY u.lexeme ORDER BY u.lexeme
    ON CONFLICT (lexeme) DO UPDATE SET df = s.df + EXCLUDED.df;
  UPDATE chunk_stats SET chunks = chunks - (SELECT count(*) FROM old_rows);
  RETURN NULL;
END
$$;

-- Ingest replaces chunks (DELETE + INSERT) and reindex only rewrites vectors, so this finds no
-- difference in practice; it is here so that an UPDATE of body or context stays counted.
CREATE OR REPLACE FUNCTION chunks_stats_update() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO lexeme_stats AS s (lexeme, df)
    SELECT lexeme, sum(delta) FROM (
      SELECT u.lexeme, 1 AS delta FROM new_rows n, unnest(n.tsv) AS u
      UNION ALL
      SELECT u.lexeme, -1 FROM old_rows o, unnest(o.tsv) AS u) d
     GROUP BY lexeme HAVING sum(delta) <> 0 ORDER BY lexeme
    ON CONFLICT (lexeme) DO UPDATE SET df = s.df + EXCLUDED.df;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION chunks_stats_truncate() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  DELETE FROM lexeme_stats;
  UPDATE chunk_stats SET chunks = 0;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS chunks_stats_insert ON chunks;
CREATE TRIGGER chunks_stats_insert AFTER INSERT ON chunks REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION chunks_stats_insert();
DROP TRIGGER IF EXISTS chunks_stats_delete ON chunks;
CREATE TRIGGER chunks_stats_delete AFTER DELETE ON chunks REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION chunks_stats_delete();
DROP TRIGGER IF EXISTS chunks_stats_update ON chunks;
CREATE TRIGGER chunks_stats_update AFTER UPDATE ON chunks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION chunks_stats_update();
DROP TRIGGER IF EXISTS chunks_stats_truncate ON chunks;
CREATE TRIGGER chunks_stats_truncate AFTER TRUNCATE ON chunks
  FOR EACH STATEMENT EXECUTE FUNCTION chunks_stats_truncate();
