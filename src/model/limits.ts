/** Limits of request arguments that the CLI, the daemon and the web API share. */

/** The most lines one `logs` request may ask for with `lines` (`adasa logs --lines N`). */
export const MAX_LOG_LINES = 1_000_000;
