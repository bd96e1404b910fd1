import { describe, expect, it } from "vitest";
import { DEFAULT_ROUTE, parseRoute, routeHref } from "./route";

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
});
