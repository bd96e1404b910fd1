import { describe, expect, it } from "vitest";
import type { Backend, LiveStatus } from "../backend";
import type { LiveMessage } from "../bindings/LiveMessage";
import { createBatcher } from "./batcher";
import { LiveHub } from "./hub";

function manualSchedule() {
  const queue: (() => void)[] = [];
  return { queue, schedule: (fn: () => void) => void queue.push(fn), tick: () => queue.splice(0).forEach((f) => f()) };
}

describe("createBatcher", () => {
  it("hands over everything pushed before a tick in one batch", () => {
    const m = manualSchedule();
    const batches: number[][] = [];
    const b = createBatcher<number>((x) => batches.push(x), m.schedule);
    for (let i = 0; i < 1000; i++) b.push(i);
    expect(m.queue).toHaveLength(1);
    m.tick();
    b.push(1000);
    m.tick();
    expect(batches.map((x) => x.length)).toEqual([1000, 1]);
  });
});

describe("LiveHub", () => {
  it("fans batches out and tracks the stream's status", () => {
    const m = manualSchedule();
    let push: (msg: LiveMessage) => void = () => {};
    let status: (s: LiveStatus) => void = () => {};
    let since: number | null | undefined;
    const backend = {
      live: (s: number | null, onMessage: (x: LiveMessage) => void, onStatus: (x: LiveStatus) => void) => {
        since = s;
        push = onMessage;
        status = onStatus;
        return () => onStatus({ state: "closed" });
      },
    } as unknown as Backend;
    const hub = new LiveHub(m.schedule);
    const got: LiveMessage[][] = [];
    const off = hub.subscribe((b) => got.push(b));
    hub.start(backend, 42);
    expect(since).toBe(42);
    status({ state: "open" });
    expect(hub.status()).toEqual({ state: "open" });
    push({ type: "hello", head: 42 });
    push({ type: "progress", op: "x", message: "y", done: true });
    m.tick();
    expect(got).toHaveLength(1);
    expect(got[0]).toHaveLength(2);
    off();
    push({ type: "hello", head: 43 });
    m.tick();
    expect(got).toHaveLength(1);
    hub.stop();
    expect(hub.status()).toEqual({ state: "closed" });
  });
});
