import type { ApprovalItem } from "../../bindings/ApprovalItem";
import type { LiveMessage } from "../../bindings/LiveMessage";
import { formatDuration } from "../../lib/time";

/** Whether a batch of live messages touches approvals (their records' kinds start with "approval"). */
export function touchesApprovals(batch: LiveMessage[]): boolean {
  return batch.some((m) => m.type === "event" && m.record.kind.startsWith("approval"));
}

/** How long a request still waits, in words. */
export function timeLeft(item: ApprovalItem, now: number): { text: string; urgent: boolean; expired: boolean } {
  if (item.expires_ms === null) return { text: "no time limit", urgent: false, expired: false };
  const left = Number(item.expires_ms) - now;
  if (left <= 0) return { text: "expired", urgent: true, expired: true };
  return { text: `${formatDuration(left)} left`, urgent: left < 60_000, expired: false };
}
