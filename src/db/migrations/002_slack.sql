-- Slack deliveries already claimed: Events API event_id (Slack retries up to three times with the
-- same id) and "view:<view id>" for modal submissions. A row is inserted before any work, so a
-- retry, a second instance or a restarted process finds it and does nothing.
CREATE TABLE slack_events (
  event_id text PRIMARY KEY,
  kind text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX slack_events_received_idx ON slack_events (received_at);

-- Every answer posted in Slack, so buttons (feedback, share) can refer to it by id: an ephemeral
-- message cannot be read back, and a button value holds at most 2,000 characters.
CREATE TABLE slack_answers (
  id text PRIMARY KEY,
  surface text NOT NULL,
  question text NOT NULL,
  answer jsonb NOT NULL,
  team_id text,
  channel_id text,
  thread_ts text,
  user_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One vote per person per answer; clicking the other button changes the vote.
CREATE TABLE feedback (
  id bigserial PRIMARY KEY,
  answer_id text REFERENCES slack_answers (id) ON DELETE SET NULL,
  helpful boolean NOT NULL,
  reason text,
  question text NOT NULL,
  answer text NOT NULL,
  mode text NOT NULL,
  abstained boolean NOT NULL,
  citations jsonb NOT NULL DEFAULT '[]',
  surface text,
  user_id text NOT NULL,
  team_id text,
  channel_id text,
  message_ts text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (answer_id, user_id)
);
CREATE INDEX feedback_created_idx ON feedback (created_at);
