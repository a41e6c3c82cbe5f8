-- Durable work (src/jobs/): everything slow that follows a Slack ack is a row here, claimed by any
-- instance with FOR UPDATE SKIP LOCKED. See src/jobs/queue.ts for the protocol and why one table
-- is enough.
CREATE TABLE jobs (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  -- e.g. "slack:event:Ev123" or "slack:view:V123": a Slack retry, a second instance or a resubmitted
  -- modal inserts nothing (ON CONFLICT DO NOTHING). NULL for jobs that need no dedupe.
  dedupe_key text UNIQUE,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'dead')),
  run_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
  -- The lease: the worker holding the job and until when. A heartbeat extends it; a job whose lease
  -- has run out (its instance died) is claimed again by any worker.
  locked_by text,
  locked_until timestamptz,
  last_error text,
  -- What the job has done so far (e.g. the ts of each Slack message it posted), written as it goes,
  -- so a retry after a crash skips side effects that already happened.
  progress jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
-- The claim query's two paths: due queued jobs, and running jobs whose lease has expired.
CREATE INDEX jobs_due_idx ON jobs (run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_lease_idx ON jobs (locked_until) WHERE state = 'running';
CREATE INDEX jobs_state_updated_idx ON jobs (state, updated_at);
