-- Per-user token buckets (src/db/rate-limits.ts): one row per bucket key, e.g.
-- "question:T123:U456". In the database so the limit holds across instances.
CREATE TABLE rate_limits (
  key text PRIMARY KEY,
  tokens double precision NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX rate_limits_updated_idx ON rate_limits (updated_at);
