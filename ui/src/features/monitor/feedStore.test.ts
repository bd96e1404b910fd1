import { describe, expect, it } from "vitest";
import { FeedStore } from "./feedStore";
import { matches, NO_FILTER } from "./filter";
import { toFeedItem } from "./feedItem";
import { deny, rec } from "./testRecords";

const seqs = (s: FeedStore) => Array.from({ length: s.viewLength }, (_, i) => s.viewAt(i)?.seq);

describe("filter", () => {
  it("matches agent and kind exactly, session by prefix, severity as a minimum", () => {
    const it1 = toFeedItem(rec(1, { agent: "codex", session: "abc-123", severity: "warning" }));
    expect(matches(it1, NO_FILTER)).toBe(true);
    expect(matches(it1, { ...NO_FILTER, agent: "codex", session: "abc" })).toBe(true);
    expect(matches(it1, { ...NO_FILTER, agent: "claude" })).toBe(false);
    expect(matches(it1, { ...NO_FILTER, kind: "prompt" })).toBe(false);
    expect(matches(it1, { ...NO_FILTER, severity: "warning" })).toBe(true);
    expect(matches(it1, { ...NO_FILTER, severity: "error" })).toBe(false);
    expect(matches(it1, { ...NO_FILTER, violationsOnly: true })).toBe(false);
  });
});

describe("FeedStore", () => {
  it("caps memory: the oldest records leave the ring and the view", () => {
    const s = new FeedStore(3);
    s.ingest([1, 2, 3, 4, 5].map((n) => rec(n)));
    expect(s.loaded).toBe(3);
    expect(seqs(s)).toEqual([3, 4, 5]);
    expect(s.stats.compliance().total).toBe(3);
  });

  it("filters what is loaded and what arrives", () => {
    const s = new FeedStore(10);
    s.ingest([rec(1), rec(2, { agent: "codex" }), rec(3)]);
    s.setFilter({ ...NO_FILTER, agent: "codex" });
    expect(seqs(s)).toEqual([2]);
    s.ingest([rec(4, { agent: "codex" }), rec(5)]);
    expect(seqs(s)).toEqual([2, 4]);
    expect(s.stats.compliance().total).toBe(2);
    s.setFilter(NO_FILTER);
    expect(seqs(s)).toEqual([1, 2, 3, 4, 5]);
  });

  it("drops a filtered record from the view when the ring evicts it", () => {
    const s = new FeedStore(3);
    s.setFilter({ ...NO_FILTER, violationsOnly: true });
    s.ingest([rec(1, { decision: deny("r") }), rec(2), rec(3), rec(4)]);
    expect(seqs(s)).toEqual([]);
    expect(s.stats.violationsByRule.size).toBe(0);
  });

  it("ignores repeated and older records", () => {
    const s = new FeedStore(10);
    s.ingest([rec(5), rec(6)]);
    s.ingest([rec(6), rec(2), rec(7)]);
    expect(seqs(s)).toEqual([5, 6, 7]);
  });

  it("holds records while paused and shows them on resume", () => {
    const s = new FeedStore(10);
    s.ingest([rec(1)]);
    s.setPaused(true);
    s.ingest([rec(2), rec(3)]);
    expect(seqs(s)).toEqual([1]);
    expect(s.heldCount).toBe(2);
    expect(s.lastSeq).toBe(3);
    s.setPaused(false);
    expect(seqs(s)).toEqual([1, 2, 3]);
    expect(s.heldCount).toBe(0);
  });

  it("finds a row by seq", () => {
    const s = new FeedStore(10);
    s.ingest([rec(10), rec(11, { agent: "codex" }), rec(12)]);
    expect(s.indexOfSeq(12)).toBe(2);
    s.setFilter({ ...NO_FILTER, agent: "claude" });
    expect(s.indexOfSeq(12)).toBe(1);
    expect(s.indexOfSeq(11)).toBeNull();
    expect(s.indexOfSeq(99)).toBeNull();
  });

  it("takes live batches, remembers a lag until caught up, and notifies once per batch", () => {
    const s = new FeedStore(10);
    let notified = 0;
    s.subscribe(() => notified++);
    s.receive([
      { type: "lagged", from: 1, head: 3 },
      { type: "event", record: rec(1) },
      { type: "coord", event: { seq: 1, ts_ms: 0, kind: "lease_taken", agent: "a", session: "s", detail: null } },
    ]);
    expect(s.lagged).toEqual({ from: 1, head: 3 });
    expect(notified).toBe(1);
    s.receive([{ type: "event", record: rec(2) }, { type: "event", record: rec(3) }]);
    expect(s.lagged).toBeNull();
    expect(s.version()).toBe(2);
    expect(s.agents.values()).toEqual(["claude"]);
  });

  it("keeps up with 50,000 records quickly", () => {
    const s = new FeedStore();
    const batch = Array.from({ length: 60_000 }, (_, i) => rec(i + 1, i % 7 === 0 ? { decision: deny("r") } : {}));
    const t = performance.now();
    s.ingest(batch);
    s.setFilter({ ...NO_FILTER, violationsOnly: true });
    expect(performance.now() - t).toBeLessThan(2000);
    expect(s.loaded).toBe(50_000);
    expect(s.viewAt(0)?.seq).toBeGreaterThan(10_000);
  });
});
