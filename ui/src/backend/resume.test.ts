import { describe, expect, it } from "vitest";
import type { LiveMessage } from "../bindings/LiveMessage";
import type { Record } from "../bindings/Record";
import { backoffDelay, ResumeCursor, startLive, type LiveHandlers, type LiveStatus, type Timers } from "./resume";

/** A record as it arrives at runtime: u64 fields are JSON numbers. */
function rec(seq: number): Record {
  return { seq, ts_ms: 1000 + seq, agent: "claude", session: "s", kind: "pre_tool", severity: "info", payload: "{}", decision: null, prev_hash: "", hash: "" } as unknown as Record;
}
const ev = (seq: number): LiveMessage => ({ type: "event", record: rec(seq) });

/** Timers run by hand. */
function manualTimers() {
  const queue: { fn: () => void; ms: number; id: number }[] = [];
  let next = 1;
  const timers: Timers = {
    set: (fn, ms) => {
      queue.push({ fn, ms, id: next });
      return next++;
    },
    clear: (h) => {
      const i = queue.findIndex((t) => t.id === h);
      if (i >= 0) queue.splice(i, 1);
    },
  };
  return { timers, queue, runNext: () => queue.shift()?.fn() };
}

/** A fake transport recording each connection's `since`. */
function fakeTransport() {
  const conns: { since: number | null; h: LiveHandlers; closed: boolean }[] = [];
  const connect = (since: number | null, h: LiveHandlers) => {
    const c = { since, h, closed: false };
    conns.push(c);
    return { close: () => void (c.closed = true) };
  };
  return { conns, connect };
}

describe("backoffDelay", () => {
  it("doubles per attempt up to the cap", () => {
    const noJitter = () => 1;
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, { baseMs: 100, maxMs: 500 }, noJitter))).toEqual([100, 200, 400, 500]);
  });
  it("jitters down by at most 20%", () => {
    expect(backoffDelay(1, { baseMs: 1000, maxMs: 5000 }, () => 0)).toBe(800);
  });
});

describe("ResumeCursor", () => {
  it("starts at the head when connecting without since", () => {
    const c = new ResumeCursor(null);
    expect(c.accept({ type: "hello", head: 41 })).toBe(true);
    expect(c.lastSeq).toBe(41);
    expect(c.accept(ev(42))).toBe(true);
    expect(c.lastSeq).toBe(42);
  });
  it("keeps its position over a hello and drops repeated records", () => {
    const c = new ResumeCursor(10);
    c.accept({ type: "hello", head: 50 });
    expect(c.lastSeq).toBe(10);
    expect(c.accept(ev(11))).toBe(true);
    expect(c.accept(ev(11))).toBe(false);
    expect(c.accept(ev(9))).toBe(false);
    expect(c.lastSeq).toBe(11);
  });
  it("passes other messages through", () => {
    const c = new ResumeCursor(5);
    expect(c.accept({ type: "progress", op: "skill install", message: "x", done: false })).toBe(true);
    expect(c.accept({ type: "lagged", from: 1, head: 99 })).toBe(true);
    expect(c.lastSeq).toBe(5);
  });
});

describe("startLive", () => {
  it("reconnects after a drop from the last record it delivered, and misses nothing", () => {
    const t = fakeTransport();
    const m = manualTimers();
    const got: number[] = [];
    const statuses: LiveStatus["state"][] = [];
    startLive(t.connect, null, (msg) => msg.type === "event" && got.push(Number(msg.record.seq)), (s) => statuses.push(s.state), { timers: m.timers, random: () => 1 });

    expect(t.conns[0].since).toBeNull();
    t.conns[0].h.onOpen();
    t.conns[0].h.onMessage({ type: "hello", head: 7 });
    t.conns[0].h.onMessage(ev(8));
    t.conns[0].h.onMessage(ev(9));
    t.conns[0].h.onClose("network");
    expect(m.queue[0].ms).toBe(500);
    m.runNext();

    expect(t.conns[1].since).toBe(9);
    t.conns[1].h.onOpen();
    // The server may repeat what the client already has: dropped.
    t.conns[1].h.onMessage(ev(9));
    t.conns[1].h.onMessage(ev(10));
    expect(got).toEqual([8, 9, 10]);
    expect(statuses).toEqual(["connecting", "open", "retrying", "connecting", "open"]);
  });

  it("backs off longer on repeated failures and resets once open", () => {
    const t = fakeTransport();
    const m = manualTimers();
    startLive(t.connect, 3, () => {}, () => {}, { timers: m.timers, random: () => 1 });
    t.conns[0].h.onClose("refused");
    m.runNext();
    t.conns[1].h.onClose("refused");
    expect(m.queue[0].ms).toBe(1000);
    m.runNext();
    t.conns[2].h.onOpen();
    t.conns[2].h.onClose("dropped");
    expect(m.queue[0].ms).toBe(500);
    expect(t.conns.map((c) => c.since)).toEqual([3, 3, 3]);
  });

  it("stops for good: closes the connection, cancels the retry, ignores late callbacks", () => {
    const t = fakeTransport();
    const m = manualTimers();
    const got: LiveMessage[] = [];
    const stop = startLive(t.connect, 1, (x) => got.push(x), () => {}, { timers: m.timers });
    const first = t.conns[0];
    first.h.onClose("x");
    expect(m.queue).toHaveLength(1);
    stop();
    expect(m.queue).toHaveLength(0);
    first.h.onMessage(ev(2));
    expect(got).toEqual([]);

    const t2 = fakeTransport();
    const stop2 = startLive(t2.connect, 1, () => {}, () => {}, { timers: m.timers });
    stop2();
    expect(t2.conns[0].closed).toBe(true);
  });

  it("ignores a replaced connection's late messages", () => {
    const t = fakeTransport();
    const m = manualTimers();
    const got: number[] = [];
    startLive(t.connect, 0, (msg) => msg.type === "event" && got.push(Number(msg.record.seq)), () => {}, { timers: m.timers });
    const old = t.conns[0];
    old.h.onClose("x");
    m.runNext();
    old.h.onMessage(ev(1));
    t.conns[1].h.onMessage(ev(1));
    expect(got).toEqual([1]);
  });
});
