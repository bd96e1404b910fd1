import { afterEach, describe, expect, it, vi } from "vitest";
import { goTo, replaceHash, takeQuietChange } from "./useHashRoute";

function fakeWindow(hash: string) {
  const replaced: string[] = [];
  const win = {
    location: { hash },
    history: {
      state: null,
      replaceState: (_s: unknown, _t: string, url: string) => {
        replaced.push(url);
        win.location.hash = url;
      },
    },
  };
  vi.stubGlobal("window", win);
  return { win, replaced };
}

afterEach(() => vi.unstubAllGlobals());

describe("address changes", () => {
  it("goes to a screen as a link would", () => {
    const { win } = fakeWindow("#/sop/pause");
    goTo("#/sop");
    expect(win.location.hash).toBe("#/sop");
  });

  it("rewrites a handled #/monitor/<seq> to #/monitor without a history entry, quietly", () => {
    const { win, replaced } = fakeWindow("#/monitor/123");
    replaceHash("#/monitor");
    expect(win.location.hash).toBe("#/monitor");
    expect(replaced).toEqual(["#/monitor"]);
    // The screen that was showing is not the quiet change; the rewritten one is, once.
    expect(takeQuietChange({ screen: "monitor", param: "123" })).toBe(false);
    expect(takeQuietChange({ screen: "monitor", param: null })).toBe(true);
    expect(takeQuietChange({ screen: "monitor", param: null })).toBe(false);
    // Already there: nothing to do.
    replaceHash("#/monitor");
    expect(replaced).toEqual(["#/monitor"]);
  });
});
