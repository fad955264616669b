/**
 * Time prefixes of the pm2-style log files, in pm2's own words: `log_date_format` is a dayjs
 * format (pm2 formats with dayjs too, in local time). The one import of dayjs.
 */
import dayjs from "dayjs";

/** Formats `time` (ms since the epoch) as dayjs formats it, in the daemon's time zone. */
export function formatDate(time: number, format: string): string {
  return dayjs(time).format(format);
}
