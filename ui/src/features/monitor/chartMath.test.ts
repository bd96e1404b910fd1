import { describe, expect, it } from "vitest";
import { columnBars, niceMax } from "./chartMath";

describe("chart math", () => {
  it("rounds the axis up to 1, 2 or 5 times a power of ten", () => {
    expect([0, 1, 3, 7, 12, 45, 999, 1000, 1001].map(niceMax)).toEqual([1, 1, 5, 10, 20, 50, 1000, 1000, 2000]);
  });

  it("lays out bars bottom-aligned and scaled", () => {
    expect(columnBars([0, 5, 10], 30, 100, 10, 0)).toEqual([
      { x: 0, y: 100, width: 10, height: 0 },
      { x: 10, y: 50, width: 10, height: 50 },
      { x: 20, y: 0, width: 10, height: 100 },
    ]);
    expect(columnBars([], 30, 100, 10)).toEqual([]);
  });
});
