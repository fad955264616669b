/**
 * Time prefixes of the pm2-style log files, in pm2's own words: `log_date_format` is a dayjs
 * format (pm2 formats with dayjs too, in local time), and `time: true` means pm2's
 * `YYYY-MM-DDTHH:mm:ss`. The one import of dayjs.
 */
import dayjs from "dayjs";

/** The format pm2 uses for `time: true` (pm2's lib/Common.js). */
export const PM2_TIME_FORMAT = "YYYY-MM-DDTHH:mm:ss";

/** Formats `time` (ms since the epoch) as dayjs formats it, in the daemon's time zone. */
export function formatDate(time: number, format: string): string {
  return dayjs(time).format(format);
}
