-- Documents fetched from a URL (`policy-desk ingest <url>`, `/library add <url>`): what the server
-- said about the copy we hold, for conditional requests on `policy-desk ingest --refresh`; and,
-- for documents added from Slack, who added them.
ALTER TABLE documents ADD COLUMN IF NOT EXISTS fetch_etag text;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS fetch_last_modified text;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS fetched_at timestamptz;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS added_by text;
