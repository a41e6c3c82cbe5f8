-- Pages (PDF) and OCR. A paged document keeps, as offsets into its cleaned body, where each
-- page starts (page_starts[1] is page 1): chunk and quote pages are derived from them, so they
-- stay exact through the offsets. Unpaged formats (text, HTML, DOCX) leave all of it NULL/empty.
ALTER TABLE documents ADD COLUMN page_count integer;
ALTER TABLE documents ADD COLUMN page_starts integer[];
-- Pages whose text was read by OCR (1-based), and the mean OCR confidence (0-100) of each, same order.
ALTER TABLE documents ADD COLUMN ocr_pages integer[] NOT NULL DEFAULT '{}';
ALTER TABLE documents ADD COLUMN ocr_confidence real[] NOT NULL DEFAULT '{}';

-- The page of a chunk's first character, its last character's page, and the offsets (into the
-- body, like start_offset) inside the chunk where a later page begins: a quote's pages follow
-- from its offset without reading the document's whole page list.
ALTER TABLE chunks ADD COLUMN page_start integer;
ALTER TABLE chunks ADD COLUMN page_end integer;
ALTER TABLE chunks ADD COLUMN page_breaks integer[] NOT NULL DEFAULT '{}';
-- The pages of this chunk that were read by OCR.
ALTER TABLE chunks ADD COLUMN ocr_pages integer[] NOT NULL DEFAULT '{}';
