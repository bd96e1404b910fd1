import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { AuditQuery } from "../../backend";
import type { AuditPage } from "../../bindings/AuditPage";
import { fakeBackend } from "../../test/fakeBackend";
import { Feed } from "./Feed";
import { FeedStore } from "./feedStore";
import { NO_FILTER } from "./filter";
import { auditRecord, jumpNote, locate, reached } from "./jump";
import { MonitorView } from "./MonitorView";
import { LiveHub } from "../../live/hub";
import { rec } from "./testRecords";

const feedOf = (from: number, to: number, capacity = 1000) => {
  const feed = new FeedStore(capacity);
  feed.ingest(Array.from({ length: to - from + 1 }, (_, i) => rec(from + i)));
  return feed;
};

describe("going to an event (#/monitor/<seq> and Go to event #)", () => {
  it("finds a loaded event's row", () => {
    expect(locate(feedOf(1, 100), 40)).toEqual({ kind: "found", seq: 40, index: 39 });
  });

  it("waits for an event that has not arrived, then finds it", () => {
    // The window opened from a notification before the backlog loaded.
    const feed = new FeedStore(1000);
    const j = locate(feed, 123);
    expect(j).toEqual({ kind: "later", seq: 123, newest: null });
    if (j.kind === "found") throw new Error("found");
    expect(jumpNote(j, true)).toBe("Waiting for event #123: it is selected when it arrives.");
    expect(jumpNote(j, false)).toBe("Event #123 has not happened yet (no events loaded).");

    feed.ingest([rec(120), rec(121)]);
    expect(reached(feed, 123)).toBe(false);
    expect(locate(feed, 123)).toEqual({ kind: "later", seq: 123, newest: 121 });
    feed.ingest([rec(122), rec(123), rec(124)]);
    expect(reached(feed, 123)).toBe(true);
    expect(locate(feed, 123)).toEqual({ kind: "found", seq: 123, index: 3 });
  });

  it("says when an event is older than the feed holds", () => {
    const feed = feedOf(1, 10, 5);
    const j = locate(feed, 2);
    expect(j).toEqual({ kind: "unloaded", seq: 2, oldest: 6 });
    if (j.kind === "found") throw new Error("found");
    expect(jumpNote(j, true)).toBe("Event #2 is older than the loaded events (oldest: #6).");
  });

  it("tells a filtered-out event from a missing one", () => {
    const feed = feedOf(1, 10);
    feed.setFilter({ ...NO_FILTER, agent: "codex" });
    expect(locate(feed, 4)).toEqual({ kind: "hidden", seq: 4 });
    feed.setFilter(NO_FILTER);
    expect(locate(feed, 4).kind).toBe("found");
  });

  it("lets a paused feed through to the event", () => {
    const feed = feedOf(1, 10);
    feed.setPaused(true);
    feed.ingest([rec(11), rec(12)]);
    expect(locate(feed, 12)).toEqual({ kind: "found", seq: 12, index: 11 });
    expect(feed.paused).toBe(false);
  });

  it("reads an event the feed no longer holds from the audit log", async () => {
    const asked: AuditQuery[] = [];
    const backend = fakeBackend({
      audit: async (q: AuditQuery): Promise<AuditPage> => {
        asked.push(q);
        return { records: q.before === 6 ? [rec(5)] : [rec(q.before! - 2)], next_before: null };
      },
    });
    expect(Number((await auditRecord(backend, 5))?.seq)).toBe(5);
    expect(asked[0]).toEqual({ before: 6, limit: 1 });
    // A gap in the log: the record below is another one.
    expect(await auditRecord(backend, 9)).toBeNull();
  });

  it("opens with the addressed event selected and its record shown", () => {
    const html = renderToStaticMarkup(<Feed feed={feedOf(1, 100)} target={40} />);
    expect(html).toContain('aria-label="Event 40"');
    expect(html).toContain("Event #40");
    // Not following the newest: the jump took the view there.
    expect(html).toContain("Jump to newest");
    // Without a target nothing is selected.
    expect(renderToStaticMarkup(<Feed feed={feedOf(1, 100)} />)).not.toContain('aria-label="Event');
  });

  it("passes the address's event from the monitor to the feed", () => {
    const html = renderToStaticMarkup(<MonitorView backend={fakeBackend()} hub={new LiveHub()} feed={feedOf(1, 50)} seq={7} />);
    expect(html).toContain('aria-label="Event 7"');
  });
});
