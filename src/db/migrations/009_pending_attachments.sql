-- Files shared with a comment in Slack are read after the comment is committed, by a job
-- (src/slack/jobs/comment-intake.ts): the comment is saved (and the submitter told so) at once,
-- and its attachments are recorded by name, pending, until their text has been extracted.
-- Campaign grouping leaves a comment with pending attachments alone: its text is not complete yet
-- ("See attached file(s)." would match every other letter sent the same way).
ALTER TABLE comment_attachments ADD COLUMN pending boolean NOT NULL DEFAULT false;
CREATE INDEX comment_attachments_pending_idx ON comment_attachments (comment_id) WHERE pending;
