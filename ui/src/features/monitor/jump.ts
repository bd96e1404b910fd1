import type { Backend } from "../../backend";
import type { Record } from "../../bindings/Record";
import type { FeedStore } from "./feedStore";

/** Where going to an event lands. */
export type Jump =
  /** Shown: the view's row. */
  | { kind: "found"; seq: number; index: number }
  /** Not in memory (older than the ring, or skipped while catching up): only the audit log has it. */
  | { kind: "unloaded"; seq: number; oldest: number }
  /** Newer than the newest record, or nothing is loaded yet: it may still arrive. */
  | { kind: "later"; seq: number; newest: number | null }
  /** Loaded, but the filters hide it. */
  | { kind: "hidden"; seq: number };

/**
 * Finds event `seq` in the feed, for "Go to event #" and `#/monitor/<seq>`.
 * A record held back by Pause is let through first: asking for an event
 * means wanting to see it.
 */
export function locate(feed: FeedStore, seq: number): Jump {
  if (feed.isHeld(seq)) feed.setPaused(false);
  const index = feed.indexOfSeq(seq);
  if (index !== null) return { kind: "found", seq, index };
  const oldest = feed.oldestSeq();
  const newest = feed.lastSeq;
  if (oldest === null || newest === null || seq > newest) return { kind: "later", seq, newest };
  if (!feed.holds(seq)) return { kind: "unloaded", seq, oldest };
  return { kind: "hidden", seq };
}

/** Whether the event a jump waits for may have arrived (the feed reached it). */
export function reached(feed: FeedStore, seq: number): boolean {
  const newest = feed.lastSeq;
  return newest !== null && newest >= seq;
}

/** Why a jump found no row; `waiting`: it is selected when it arrives. */
export function jumpNote(j: Exclude<Jump, { kind: "found" }>, waiting: boolean): string {
  switch (j.kind) {
    case "unloaded":
      return j.seq < j.oldest ? `Event #${j.seq} is older than the loaded events (oldest: #${j.oldest}).` : `Event #${j.seq} was skipped while the feed caught up.`;
    case "later":
      if (waiting) return `Waiting for event #${j.seq}: it is selected when it arrives${j.newest === null ? "" : ` (newest so far: #${j.newest})`}.`;
      return j.newest === null ? `Event #${j.seq} has not happened yet (no events loaded).` : `Event #${j.seq} has not happened yet (newest: #${j.newest}).`;
    case "hidden":
      return `Event #${j.seq} is hidden by the filters.`;
  }
}

/** Reads one record from the audit log (for an event the feed no longer holds); null when there is none. */
export async function auditRecord(backend: Backend, seq: number): Promise<Record | null> {
  const page = await backend.audit({ before: seq + 1, limit: 1 });
  return page.records.find((r) => Number(r.seq) === seq) ?? null;
}
