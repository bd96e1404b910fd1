import type { LiveMessage } from "../bindings/LiveMessage";

/**
 * The live stream's reconnect-and-resume logic, independent of the
 * transport (WebSocket, Tauri events) so it can be tested without either.
 */

/** What the ui shows about the stream. */
export type LiveStatus =
  | { state: "connecting"; attempt: number }
  | { state: "open" }
  | { state: "retrying"; attempt: number; inMs: number; reason: string }
  | { state: "closed" };

/** One transport connection; `close` must not call `onClose`. */
export interface LiveConnection {
  close(): void;
}

export interface LiveHandlers {
  onOpen(): void;
  onMessage(message: LiveMessage): void;
  /** The connection ended (or never opened). */
  onClose(reason: string): void;
}

/** Opens a connection delivering the records after `since` (null: from the head). */
export type Connect = (since: number | null, handlers: LiveHandlers) => LiveConnection;

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 500, maxMs: 15_000 };

/**
 * Delay before reconnect attempt `attempt` (1-based): exponential, capped,
 * with up to 20% jitter so many tabs do not reconnect in lockstep.
 */
export function backoffDelay(attempt: number, backoff: Backoff = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exp = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.8 + 0.2 * random()));
}

/**
 * Remembers the last record delivered so a reconnect resumes after it and
 * a record the server repeats (it resends from `since`) is dropped.
 */
export class ResumeCursor {
  constructor(public lastSeq: number | null) {}

  /** Whether to deliver `m`; advances the cursor. */
  accept(m: LiveMessage): boolean {
    switch (m.type) {
      case "hello":
        // Without `since` the server starts at its head: resume from there.
        if (this.lastSeq === null) this.lastSeq = Number(m.head);
        return true;
      case "event": {
        // u64 fields are typed bigint but arrive as JSON numbers.
        const seq = Number(m.record.seq);
        if (this.lastSeq !== null && seq <= this.lastSeq) return false;
        this.lastSeq = seq;
        return true;
      }
      default:
        return true;
    }
  }
}

/**
 * Keeps a live stream open: connects from `since`, and whenever the
 * connection ends, waits (backoff) and reconnects from the cursor.
 * Returns the stop function.
 */
export function startLive(
  connect: Connect,
  since: number | null,
  onMessage: (m: LiveMessage) => void,
  onStatus: (s: LiveStatus) => void,
  options: { timers?: Timers; backoff?: Backoff; random?: () => number } = {},
): () => void {
  const timers = options.timers ?? realTimers;
  const cursor = new ResumeCursor(since);
  let attempt = 0;
  let stopped = false;
  let conn: LiveConnection | null = null;
  let timer: unknown = null;

  const open = () => {
    timer = null;
    if (stopped) return;
    onStatus({ state: "connecting", attempt });
    // Each connection gets its own `live` flag: a late callback of a
    // connection already replaced must not touch the current one.
    let live = true;
    const c = connect(cursor.lastSeq, {
      onOpen: () => {
        if (!live || stopped) return;
        attempt = 0;
        onStatus({ state: "open" });
      },
      onMessage: (m) => {
        if (!live || stopped) return;
        if (cursor.accept(m)) onMessage(m);
      },
      onClose: (reason) => {
        if (!live || stopped) return;
        live = false;
        conn = null;
        attempt += 1;
        const inMs = backoffDelay(attempt, options.backoff, options.random);
        onStatus({ state: "retrying", attempt, inMs, reason });
        timer = timers.set(open, inMs);
      },
    });
    // A connect that failed synchronously has already scheduled a retry.
    if (live) conn = c;
  };

  open();
  return () => {
    if (stopped) return;
    stopped = true;
    if (timer !== null) timers.clear(timer);
    conn?.close();
    conn = null;
    onStatus({ state: "closed" });
  };
}
