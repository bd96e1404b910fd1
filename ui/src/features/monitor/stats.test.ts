import { describe, expect, it } from "vitest";
import { toFeedItem, describePayload } from "./feedItem";
import { bucketByMinute, compliance, FeedStats, MINUTE_MS, perMinuteSeries, topCounts } from "./stats";
import { deny, rec } from "./testRecords";

describe("compliance", () => {
  it("is allowed tool calls over all tool calls, not counting other events", () => {
    const items = [
      rec(1),
      rec(2, { decision: deny("tests-first") }),
      rec(3, { decision: JSON.stringify({ action: "warn", rule: "r", severity: "warning", phase: "p" }) }),
      rec(4, { kind: "prompt", decision: null }),
      rec(5, { kind: "session_start" }),
      rec(6),
    ].map(toFeedItem);
    expect(compliance(items)).toEqual({ allowed: 2, total: 4, rate: 0.5 });
  });

  it("has no rate without tool calls", () => {
    expect(compliance([])).toEqual({ allowed: 0, total: 0, rate: null });
  });

  it("counts an observe-mode denial against compliance", () => {
    const observed = toFeedItem(rec(1, { decision: JSON.stringify({ action: "deny", rule: "x", severity: "error", phase: "p", observed: true }) }));
    expect(observed.observed).toBe(true);
    expect(compliance([observed]).rate).toBe(0);
  });
});

describe("per-minute buckets", () => {
  const t0 = 1_700_000_040_000; // a minute boundary
  it("buckets timestamps by the minute they fall in", () => {
    const m = bucketByMinute([t0, t0 + 59_999, t0 + 60_000, t0 + 3 * MINUTE_MS + 1]);
    expect([...m.entries()]).toEqual([
      [t0, 2],
      [t0 + MINUTE_MS, 1],
      [t0 + 3 * MINUTE_MS, 1],
    ]);
  });

  it("fills a fixed window with zeros, oldest first", () => {
    const m = bucketByMinute([t0, t0 + 2 * MINUTE_MS]);
    expect(perMinuteSeries(m, t0 + 2 * MINUTE_MS + 5000, 4).map((x) => x.count)).toEqual([0, 1, 0, 1]);
  });
});

describe("FeedStats", () => {
  it("matches a rescan after adds and removes", () => {
    const s = new FeedStats();
    const items = [rec(1), rec(2, { decision: deny("a") }), rec(3, { decision: deny("a") }), rec(4, { severity: "critical", kind: "tamper", decision: null })].map(toFeedItem);
    items.forEach((i) => s.add(i));
    expect(s.compliance()).toEqual({ allowed: 1, total: 3, rate: 1 / 3 });
    expect(topCounts(s.violationsByRule, 5)).toEqual([
      { name: "a", count: 2 },
      { name: "(no rule)", count: 1 },
    ]);
    s.remove(items[0]);
    s.remove(items[1]);
    expect(s.compliance()).toEqual(compliance(items.slice(2)));
    expect(topCounts(s.violationsByRule, 5)).toEqual([
      { name: "(no rule)", count: 1 },
      { name: "a", count: 1 },
    ]);
    expect([...s.perMinute.values()].reduce((a, b) => a + b, 0)).toBe(2);
  });
});

describe("feed items", () => {
  it("marks denials and severe records as violations", () => {
    expect(toFeedItem(rec(1)).violation).toBe(false);
    expect(toFeedItem(rec(1, { decision: deny("r") })).violation).toBe(true);
    expect(toFeedItem(rec(1, { severity: "error", decision: null })).violation).toBe(true);
    expect(toFeedItem(rec(1, { decision: "not json" })).action).toBeNull();
  });

  it("describes the tool call", () => {
    expect(describePayload('{"tool":{"name":"Bash","command":"cargo test"}}')).toBe("Bash: cargo test");
    expect(describePayload('{"tool":{"name":"Write","paths":["/a","/b"]}}')).toBe("Write: /a, /b");
    expect(describePayload('{"agent_event":"Stop"}')).toBe("Stop");
    expect(describePayload("oops")).toBe("oops");
  });
});
