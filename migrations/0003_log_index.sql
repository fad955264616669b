-- Time index of captured output. The lines themselves are in ADASA_HOME/logs/<app>/<seq>.log
-- (format in the README); each row says where one instance's stream wrote during one second
-- (a new row at least every MiB), so `adasa logs --since T` seeks instead of scanning.
-- Times are integer milliseconds since the Unix epoch (UTC), as in every table.
--
-- Example: where did app "api" write at 12:00 UTC on 2025-06-01?
--   SELECT file, byte_offset, end_offset FROM log_index
--   WHERE app = 'api' AND last_at >= 1748779200000 ORDER BY last_at LIMIT 1;

CREATE TABLE log_index (
  -- Plain values, not foreign keys: logs outlive deleted apps until they are flushed.
  app          TEXT NOT NULL,
  instance_id  INTEGER NOT NULL,
  stream       TEXT NOT NULL CHECK (stream IN ('out', 'err')),
  -- Segment file name inside logs/<app>/, e.g. '00000042.log' (or '00000042.log.gz' on disk).
  file         TEXT NOT NULL,
  -- Byte range [byte_offset, end_offset) of the segment; byte_offset is a record boundary.
  -- Records of other instances of the app may be interleaved inside the range.
  byte_offset  INTEGER NOT NULL,
  end_offset   INTEGER NOT NULL,
  -- Capture times of the first and last line of the range (same second).
  first_at     INTEGER NOT NULL,
  last_at      INTEGER NOT NULL,
  PRIMARY KEY (app, file, instance_id, stream, byte_offset)
) WITHOUT ROWID;
CREATE INDEX log_index_app_last_at ON log_index (app, last_at);
CREATE INDEX log_index_app_position ON log_index (app, file, byte_offset);
