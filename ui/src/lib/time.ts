/** Local time of day, e.g. 14:03:07. */
export function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour12: false });
}

/** Local date and time. */
export function formatDateTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { hour12: false });
}

/** A duration in words: "45s", "3m 05s", "2h 10m", "3d 4h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** "12s ago", "5m 02s ago"; "just now" under a second. */
export function formatAgo(ms: number, now: number): string {
  const d = now - ms;
  if (d < 1000) return "just now";
  return `${formatDuration(d)} ago`;
}
