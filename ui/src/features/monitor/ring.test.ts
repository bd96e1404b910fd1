import { describe, expect, it } from "vitest";
import { RingBuffer } from "./ring";

describe("RingBuffer", () => {
  it("keeps the newest items up to its capacity and reports what it evicts", () => {
    const r = new RingBuffer<number>(3);
    expect([1, 2, 3].map((x) => r.push(x))).toEqual([undefined, undefined, undefined]);
    expect(r.push(4)).toBe(1);
    expect(r.toArray()).toEqual([2, 3, 4]);
    expect(r.first()).toBe(2);
    expect(r.last()).toBe(4);
    expect(r.get(3)).toBeUndefined();
    expect(r.get(-1)).toBeUndefined();
  });

  it("shifts, wraps and clears", () => {
    const r = new RingBuffer<number>(2);
    r.push(1);
    r.push(2);
    expect(r.shift()).toBe(1);
    r.push(3);
    expect(r.toArray()).toEqual([2, 3]);
    r.clear();
    expect(r.length).toBe(0);
    expect(r.shift()).toBeUndefined();
  });

  it("finds by key with binary search", () => {
    const r = new RingBuffer<number>(4);
    [10, 20, 30, 40, 50].forEach((x) => r.push(x));
    const id = (x: number) => x;
    expect(r.lowerBound(30, id)).toBe(1);
    expect(r.lowerBound(35, id)).toBe(2);
    expect(r.lowerBound(5, id)).toBe(0);
    expect(r.lowerBound(99, id)).toBe(4);
  });

  it("rejects a useless capacity", () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
