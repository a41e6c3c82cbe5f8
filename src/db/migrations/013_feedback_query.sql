-- The understood question (kind, time scope, corrections, expansions: UnderstoodQuery) beside
-- each vote, so the feedback export shows how a question that went wrong was read. A second
-- file of migration 013: stores that applied 013_acronyms.sql get it on their next start.
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS query jsonb;
