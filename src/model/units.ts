/**
 * The one way sizes and percents are written for people: `list`, `describe`, `stats`, `monit`,
 * events, the web page (served from these functions' own source, see src/web/assets.ts) and the
 * `/metrics` help text. Sizes are IEC (powers of 1024, `KiB`, `MiB`, `GiB`), which `parseSize`
 * reads back. Pure; a leaf. Each function is self-contained (no module-level helpers), because
 * the dashboard receives its source text.
 */

/** Bytes as `512B`, `1.5KiB`, `45.6MiB`, `2.0GiB`; null or not finite is `-`. */
export function formatSize(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const sign = bytes < 0 ? "-" : "";
  return unit === 0 ? `${sign}${Math.round(value)}B` : `${sign}${value.toFixed(1)}${units[unit]}`;
}

/** Percent of one core, one decimal below 100: `0.3%`, `12.5%`, `230%`; null is `-`. */
export function formatPercent(percent: number | null): string {
  if (percent === null || !Number.isFinite(percent)) return "-";
  return `${Math.abs(percent) >= 100 ? Math.round(percent) : percent.toFixed(1)}%`;
}
