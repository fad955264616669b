-- Resource history: raw samples and per-minute rollups.
-- Times are integer milliseconds since the Unix epoch (UTC), as in every table.
-- cpu is percent of one core (200 = two cores busy); memory is resident bytes (RSS).
-- group_* sum the instance's whole process group: its children and grandchildren too.
--
-- Example, from the sqlite3 shell:
--   SELECT datetime(at / 1000, 'unixepoch', 'localtime') AS time, cpu, memory / 1048576 AS mib
--     FROM stats WHERE app = 'api' AND at > (strftime('%s', 'now') - 3600) * 1000 ORDER BY at;
--   SELECT app, max(memory_max) / 1048576 AS peak_mib FROM stats_minute
--     WHERE at > (strftime('%s', 'now') - 7 * 86400) * 1000 GROUP BY app;

-- One row per instance per tick (every 2 s by default), kept 24 hours.
-- WITHOUT ROWID, clustered by instance then time: a day of one instance is read from
-- neighbouring pages, which keeps `adasa stats --since 24h` fast on a large table.
CREATE TABLE stats (
  at            INTEGER NOT NULL,
  -- Plain values, not foreign keys: history outlives deleted apps.
  instance_id   INTEGER NOT NULL,
  app           TEXT NOT NULL,
  pid           INTEGER NOT NULL,
  -- NULL on the first sample of a pid, when there is no interval to measure yet.
  cpu           REAL,
  memory        INTEGER NOT NULL,
  group_cpu     REAL,
  group_memory  INTEGER NOT NULL,
  PRIMARY KEY (instance_id, at)
) WITHOUT ROWID;
CREATE INDEX stats_app_at ON stats (app, at);
-- For the rollup and for pruning by age; new entries always go at its end.
CREATE INDEX stats_at ON stats (at);

-- One row per instance per minute, aggregated from stats; kept 30 days.
-- at is the start of the minute; samples is how many raw rows it summarises;
-- *_avg is the mean of the minute's samples, *_min and *_max its extremes.
CREATE TABLE stats_minute (
  instance_id       INTEGER NOT NULL,
  at                INTEGER NOT NULL,
  app               TEXT NOT NULL,
  samples           INTEGER NOT NULL,
  cpu_min           REAL,
  cpu_avg           REAL,
  cpu_max           REAL,
  memory_min        INTEGER NOT NULL,
  memory_avg        INTEGER NOT NULL,
  memory_max        INTEGER NOT NULL,
  group_cpu_avg     REAL,
  group_cpu_max     REAL,
  group_memory_avg  INTEGER NOT NULL,
  group_memory_max  INTEGER NOT NULL,
  PRIMARY KEY (instance_id, at)
) WITHOUT ROWID;
CREATE INDEX stats_minute_app_at ON stats_minute (app, at);
-- For pruning by age and finding where the last rollup stopped.
CREATE INDEX stats_minute_at ON stats_minute (at);
