import type { FeedItem } from "./feedItem";

export const MINUTE_MS = 60_000;

/** A tool call the SOP decided on: a pre-tool record with a decision. */
export function isToolCall(item: FeedItem): boolean {
  return item.kind === "pre_tool" && item.action !== null;
}

export interface Compliance {
  allowed: number;
  total: number;
  /** allowed / total, or null when there were no tool calls. */
  rate: number | null;
}

/**
 * Allowed tool calls over all tool calls. "Allowed" is the SOP's verdict
 * `allow`: a warned or denied call counts against it, also in observe mode
 * (where the agent was let through but the SOP said no).
 */
export function compliance(items: Iterable<FeedItem>): Compliance {
  let allowed = 0;
  let total = 0;
  for (const it of items) {
    if (!isToolCall(it)) continue;
    total += 1;
    if (it.action === "allow") allowed += 1;
  }
  return { allowed, total, rate: total === 0 ? null : allowed / total };
}

/** The start of the minute containing `ms`. */
export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** Counts per minute start. */
export function bucketByMinute(timestamps: Iterable<number>): Map<number, number> {
  const m = new Map<number, number>();
  for (const ts of timestamps) {
    const k = minuteOf(ts);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

export interface MinuteCount {
  minute: number;
  count: number;
}

/** The last `minutes` minutes up to the one containing `endMs`, oldest first, zeros included. */
export function perMinuteSeries(counts: Map<number, number>, endMs: number, minutes: number): MinuteCount[] {
  const last = minuteOf(endMs);
  const out: MinuteCount[] = [];
  for (let i = minutes - 1; i >= 0; i--) {
    const minute = last - i * MINUTE_MS;
    out.push({ minute, count: counts.get(minute) ?? 0 });
  }
  return out;
}

/** The `n` largest counts, largest first (ties by name, for a stable chart). */
export function topCounts(counts: Map<string, number>, n: number): { name: string; count: number }[] {
  return [...counts.entries()]
    .filter(([, c]) => c > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([name, count]) => ({ name, count }));
}

const NO_RULE = "(no rule)";

function bump<K>(m: Map<K, number>, k: K, by: number) {
  const v = (m.get(k) ?? 0) + by;
  if (v <= 0) m.delete(k);
  else m.set(k, v);
}

/**
 * The same numbers kept up to date as records come and go, so a busy feed
 * costs O(1) per record instead of a rescan per frame.
 */
export class FeedStats {
  toolCalls = 0;
  allowed = 0;
  readonly perMinute = new Map<number, number>();
  readonly violationsByRule = new Map<string, number>();

  add(it: FeedItem): void {
    this.apply(it, 1);
  }

  remove(it: FeedItem): void {
    this.apply(it, -1);
  }

  clear(): void {
    this.toolCalls = 0;
    this.allowed = 0;
    this.perMinute.clear();
    this.violationsByRule.clear();
  }

  compliance(): Compliance {
    return { allowed: this.allowed, total: this.toolCalls, rate: this.toolCalls === 0 ? null : this.allowed / this.toolCalls };
  }

  private apply(it: FeedItem, by: 1 | -1): void {
    if (isToolCall(it)) {
      this.toolCalls += by;
      if (it.action === "allow") this.allowed += by;
    }
    bump(this.perMinute, minuteOf(it.tsMs), by);
    if (it.violation) bump(this.violationsByRule, it.rule ?? NO_RULE, by);
  }
}
