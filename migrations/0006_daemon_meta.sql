-- Facts about the daemon that outlive it, as key/value text. `boot_id` is the kernel's boot
-- id (/proc/sys/kernel/random/boot_id) of the last daemon start: a one-shot job that ended
-- stays `exited` across daemon restarts within one boot, and starts again after a reboot.
CREATE TABLE daemon_meta (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
) STRICT;
