-- The document catalog: facts about documents that their text does not state (issued date,
-- status, supersession, implementation), supplied by a catalog.yml beside the documents, by
-- `policy-desk docs set`, or by a person in Slack. Never guessed.
--
-- Facts are keyed by document id and not tied to the documents row by a foreign key: a
-- re-ingest rewrites the row (same id) and the facts must survive it, and a catalog may name a
-- document before it is ingested under that id.

CREATE TABLE IF NOT EXISTS document_facts (
  document_id text NOT NULL,
  -- title | issued | status | supersedes | implements | note
  field text NOT NULL CHECK (field IN ('title', 'issued', 'status', 'supersedes', 'implements', 'note')),
  -- A JSON string for title/issued/status/note, a JSON array of document ids for supersedes/implements.
  value jsonb NOT NULL,
  -- Who or what set it: "catalog:<path of catalog.yml>", "cli:<user>", "slack:<user id>".
  set_by text NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (document_id, field)
);

-- Every change, including unsetting (value NULL): a withdrawn document keeps its history.
CREATE TABLE IF NOT EXISTS document_fact_history (
  id bigserial PRIMARY KEY,
  document_id text NOT NULL,
  field text NOT NULL,
  value jsonb,
  previous jsonb,
  set_by text NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS document_fact_history_doc_idx ON document_fact_history (document_id, id);

-- What a document is, facts applied: the one place listings, retrieval and answers read from.
-- publishedOn keeps its meaning (a date, possibly partial: 2023, 2023-02, 2023-02-23): the
-- catalog's issued date when one is supplied, else the date the text states. A document that
-- another stored document supersedes is "superseded" unless its catalog status says otherwise.
CREATE OR REPLACE VIEW document_view AS
SELECT d.id,
       coalesce(ft.value #>> '{}', d.title) AS title,
       d.title AS text_title,
       d.kind,
       d.issuing_office,
       d.source,
       d.source_url,
       d.format,
       d.contacts,
       d.ingested_at,
       d.published_on AS text_date,
       coalesce(fi.value #>> '{}', d.published_on::text) AS published_on,
       CASE WHEN fi.value IS NOT NULL THEN 'catalog' WHEN d.published_on IS NOT NULL THEN 'text' END AS date_source,
       -- The first day the publication date can mean, for date filters and ordering.
       CASE
         WHEN fi.value IS NULL THEN d.published_on
         WHEN length(fi.value #>> '{}') = 4 THEN to_date((fi.value #>> '{}') || '-01-01', 'YYYY-MM-DD')
         WHEN length(fi.value #>> '{}') = 7 THEN to_date((fi.value #>> '{}') || '-01', 'YYYY-MM-DD')
         ELSE to_date(fi.value #>> '{}', 'YYYY-MM-DD')
       END AS date_from,
       -- The last day it can mean.
       CASE
         WHEN fi.value IS NULL THEN d.published_on
         WHEN length(fi.value #>> '{}') = 4 THEN to_date((fi.value #>> '{}') || '-12-31', 'YYYY-MM-DD')
         WHEN length(fi.value #>> '{}') = 7 THEN (to_date((fi.value #>> '{}') || '-01', 'YYYY-MM-DD') + interval '1 month' - interval '1 day')::date
         ELSE to_date(fi.value #>> '{}', 'YYYY-MM-DD')
       END AS date_to,
       coalesce(
         fs.value #>> '{}',
         CASE WHEN EXISTS (
           SELECT 1 FROM document_facts o JOIN documents od ON od.id = o.document_id
            WHERE o.field = 'supersedes' AND o.value @> jsonb_build_array(d.id) AND o.document_id <> d.id
         ) THEN 'superseded' END
       ) AS status,
       CASE WHEN fs.value IS NOT NULL THEN 'catalog'
            WHEN EXISTS (
              SELECT 1 FROM document_facts o JOIN documents od ON od.id = o.document_id
               WHERE o.field = 'supersedes' AND o.value @> jsonb_build_array(d.id) AND o.document_id <> d.id
            ) THEN 'relation' END AS status_source,
       ARRAY(SELECT jsonb_array_elements_text(coalesce(fsup.value, '[]'::jsonb))) AS supersedes,
       ARRAY(
         SELECT o.document_id FROM document_facts o JOIN documents od ON od.id = o.document_id
          WHERE o.field = 'supersedes' AND o.value @> jsonb_build_array(d.id) AND o.document_id <> d.id
          ORDER BY o.document_id
       ) AS superseded_by,
       ARRAY(SELECT jsonb_array_elements_text(coalesce(fimp.value, '[]'::jsonb))) AS implements,
       ARRAY(
         SELECT o.document_id FROM document_facts o JOIN documents od ON od.id = o.document_id
          WHERE o.field = 'implements' AND o.value @> jsonb_build_array(d.id) AND o.document_id <> d.id
          ORDER BY o.document_id
       ) AS implemented_by,
       fn.value #>> '{}' AS note
  FROM documents d
  LEFT JOIN document_facts ft ON ft.document_id = d.id AND ft.field = 'title'
  LEFT JOIN document_facts fi ON fi.document_id = d.id AND fi.field = 'issued'
  LEFT JOIN document_facts fs ON fs.document_id = d.id AND fs.field = 'status'
  LEFT JOIN document_facts fsup ON fsup.document_id = d.id AND fsup.field = 'supersedes'
  LEFT JOIN document_facts fimp ON fimp.document_id = d.id AND fimp.field = 'implements'
  LEFT JOIN document_facts fn ON fn.document_id = d.id AND fn.field = 'note';
