-- The registry: apps, their instances, and the timeline of what happened to them.
-- Times are integer milliseconds since the Unix epoch (UTC) in every table.

CREATE TABLE apps (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL UNIQUE,
  -- The whole definition as JSON (see AppSpec in src/protocol/messages.ts).
  spec        TEXT NOT NULL CHECK (json_valid(spec)),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

-- AUTOINCREMENT: an instance id is never reused while this database lives (like pm2's pm_id).
CREATE TABLE instances (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  app_id             INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  instance           INTEGER NOT NULL,
  state              TEXT NOT NULL CHECK (state IN
                       ('stopped','launching','online','stopping','waiting','exited','errored')),
  desired            TEXT NOT NULL CHECK (desired IN ('up','down')),
  pid                INTEGER,
  -- Start time of pid in clock ticks after boot (/proc/<pid>/stat field 22): tells a
  -- process of ours from an unrelated one that got the same pid later.
  pid_start_ticks    INTEGER,
  restarts           INTEGER NOT NULL DEFAULT 0,
  unstable_restarts  INTEGER NOT NULL DEFAULT 0,
  started_at         INTEGER,
  exited_at          INTEGER,
  exit_code          INTEGER,
  exit_signal        TEXT,
  reason             TEXT,
  created_at         INTEGER NOT NULL,
  UNIQUE (app_id, instance)
);

CREATE TABLE events (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  -- Plain values, not foreign keys: history outlives deleted apps.
  instance_id  INTEGER,
  app          TEXT,
  event        TEXT NOT NULL,
  from_state   TEXT,
  to_state     TEXT,
  pid          INTEGER,
  exit_code    INTEGER,
  signal       TEXT,
  uptime_ms    INTEGER,
  reason       TEXT
);
CREATE INDEX events_at ON events (at);
CREATE INDEX events_instance_at ON events (instance_id, at);
CREATE INDEX events_app_at ON events (app, at);
