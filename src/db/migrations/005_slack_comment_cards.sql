-- Where each comment's review card is in Slack, so a change made anywhere (the card, the details
-- modal, the App Home) updates the one card in place. The row is written before the card is
-- posted (message_ts NULL): a second instance, or a resubmitted modal, finds it and posts no second
-- card. A failed post deletes the row again.
CREATE TABLE slack_comment_cards (
  comment_id integer PRIMARY KEY REFERENCES comments (id) ON DELETE CASCADE,
  channel_id text NOT NULL,
  message_ts text,
  posted_at timestamptz NOT NULL DEFAULT now()
);
