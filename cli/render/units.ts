/**
 * Human units: bytes, percent of a core, durations and local times. Pure. Every command prints
 * through these, so `list`, `describe` and `stats` show the same figures alike.
 */

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB"];

/** Bytes in powers of 1024 (as `parseSize` reads them): `512B`, `1.5KB`, `300.0MB`; null `-`. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return "-";
  if (bytes < 0) return `-${formatBytes(-bytes)}`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)}B` : `${value.toFixed(1)}${BYTE_UNITS[unit]}`;
}

/** Percent of one core, one decimal below 100: `0.3%`, `12.5%`, `230%`; null is `-`. */
export function formatPercent(percent: number | null): string {
  if (percent === null || !Number.isFinite(percent)) return "-";
  return `${percent >= 100 ? Math.round(percent) : percent.toFixed(1)}%`;
}

/** The two largest units of a duration: `800ms`, `42s`, `5m 12s`, `3h 4m`, `3d 4h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms) === 1000 ? 999 : Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Local time `YYYY-MM-DD HH:MM:SS.mmm`. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
