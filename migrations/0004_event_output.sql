-- The last lines of stderr an instance printed before it exited, kept with its `exit` event
-- (newline-separated, at most 20 lines), so "why did it restart" has an answer in SQL:
--   SELECT datetime(at / 1000, 'unixepoch'), exit_code, signal, output
--   FROM events WHERE app = 'api' AND event = 'exit' ORDER BY at DESC LIMIT 5;
ALTER TABLE events ADD COLUMN output TEXT;
