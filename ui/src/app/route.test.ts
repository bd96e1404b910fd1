import { describe, expect, it } from "vitest";
import { DEFAULT_ROUTE, PAUSE_PARAM, parseRoute, routeHref, seqParam } from "./route";

describe("routes", () => {
  it("reads the screen and its parameter from the hash", () => {
    expect(parseRoute("#/monitor")).toEqual({ screen: "monitor", param: null });
    expect(parseRoute("#/marketplace/pdf%20tools")).toEqual({ screen: "marketplace", param: "pdf tools" });
    expect(parseRoute(routeHref("marketplace", "a/b"))).toEqual({ screen: "marketplace", param: "a/b" });
    expect(parseRoute("#/skills/pdf")).toEqual({ screen: "marketplace", param: "pdf" });
  });
  it("falls back to setup", () => {
    expect(parseRoute("")).toEqual(DEFAULT_ROUTE);
    expect(parseRoute("#/nope")).toEqual(DEFAULT_ROUTE);
    expect(parseRoute("#token=abc")).toEqual(DEFAULT_ROUTE);
  });
  it("reads the addresses the desktop app opens", () => {
    // A notification: the monitor at one event.
    const monitor = parseRoute("#/monitor/123");
    expect(monitor).toEqual({ screen: "monitor", param: "123" });
    expect(seqParam(monitor.param)).toBe(123);
    // The tray: pause enforcement, and the settings.
    expect(parseRoute("#/sop/pause")).toEqual({ screen: "sop", param: PAUSE_PARAM });
    expect(parseRoute("#/settings")).toEqual({ screen: "settings", param: null });
  });
  it("takes only a positive whole number as the event", () => {
    for (const p of [null, "", "0", "-3", "1.5", "12a", "1e3", "99999999999999999999"]) expect(seqParam(p)).toBeNull();
    expect(seqParam("7")).toBe(7);
  });
});
