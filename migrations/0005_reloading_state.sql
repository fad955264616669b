-- Adds the `reloading` state: an instance whose new process is starting while its old one
-- still serves (a zero-downtime reload). SQLite cannot change a CHECK constraint in place, so
-- the table is rebuilt; its AUTOINCREMENT counter is carried over, so no id is ever reused.
CREATE TABLE instances_new (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  app_id             INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  instance           INTEGER NOT NULL,
  state              TEXT NOT NULL CHECK (state IN
                       ('stopped','launching','online','reloading','stopping','waiting',
                        'exited','errored')),
  desired            TEXT NOT NULL CHECK (desired IN ('up','down')),
  pid                INTEGER,
  -- Start time of pid in clock ticks after boot (/proc/<pid>/stat field 22).
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

INSERT INTO instances_new
  (id, app_id, instance, state, desired, pid, pid_start_ticks, restarts, unstable_restarts,
   started_at, exited_at, exit_code, exit_signal, reason, created_at)
SELECT id, app_id, instance, state, desired, pid, pid_start_ticks, restarts, unstable_restarts,
   started_at, exited_at, exit_code, exit_signal, reason, created_at
FROM instances;

INSERT INTO sqlite_sequence (name, seq)
SELECT 'instances_new', seq FROM sqlite_sequence
WHERE name = 'instances' AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'instances_new');
UPDATE sqlite_sequence
SET seq = max(seq, (SELECT seq FROM sqlite_sequence WHERE name = 'instances'))
WHERE name = 'instances_new' AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'instances');

DROP TABLE instances;
ALTER TABLE instances_new RENAME TO instances;
