import { describe, expect, it } from "vitest";
import { atBottom, scrollTopFor, virtualWindow } from "./virtualWindow";

describe("virtualWindow", () => {
  it("renders the rows in view plus overscan", () => {
    // 20px rows, 100px viewport at 200px: rows 10..15 visible.
    expect(virtualWindow(200, 100, 20, 1000, 3)).toEqual({ start: 7, end: 19, offset: 140, total: 20000 });
  });

  it("clamps at the top and at the end", () => {
    expect(virtualWindow(0, 100, 20, 1000, 3)).toMatchObject({ start: 0, end: 9 });
    expect(virtualWindow(1e9, 100, 20, 1000, 3)).toMatchObject({ start: 992, end: 1000 });
    expect(virtualWindow(0, 100, 20, 2, 3)).toMatchObject({ start: 0, end: 2, total: 40 });
    expect(virtualWindow(50, 100, 20, 0, 3)).toEqual({ start: 0, end: 0, offset: 0, total: 0 });
  });

  it("keeps the DOM small for 50,000 rows", () => {
    const w = virtualWindow(500_000, 600, 24, 50_000, 10);
    expect(w.end - w.start).toBeLessThanOrEqual(26 + 20 + 1);
  });

  it("centers a row to jump to, within bounds", () => {
    expect(scrollTopFor(50, 100, 20, 1000)).toBe(960);
    expect(scrollTopFor(0, 100, 20, 1000)).toBe(0);
    expect(scrollTopFor(999, 100, 20, 1000)).toBe(19900);
  });

  it("knows when the viewport is at the bottom", () => {
    expect(atBottom(900, 100, 1000, 20)).toBe(true);
    expect(atBottom(885, 100, 1000, 20)).toBe(true);
    expect(atBottom(800, 100, 1000, 20)).toBe(false);
  });
});
