import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Feed } from "./Feed";
import { FeedStore } from "./feedStore";
import { complianceText } from "./Overview";
import { deny, rec } from "./testRecords";

describe("Feed", () => {
  it("puts only the rows in view (plus overscan) in the DOM, even with 50,000 records", () => {
    const feed = new FeedStore();
    feed.ingest(Array.from({ length: 50_000 }, (_, i) => rec(i + 1)));
    const html = renderToStaticMarkup(<Feed feed={feed} />);
    const rows = html.match(/data-testid="feed-row"/g) ?? [];
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    expect(html).toContain("50,000 shown of 50,000 loaded");
  });

  it("marks violations and carries the seq", () => {
    const feed = new FeedStore();
    feed.ingest([rec(7, { decision: deny("no-push") })]);
    const html = renderToStaticMarkup(<Feed feed={feed} />);
    expect(html).toMatch(/class="feed-row violation\s*"[^>]*data-testid="feed-row" data-seq="7"/);
    expect(html).toContain("no-push");
    expect(html).toContain("Bash: ls");
  });

  it("says when there is nothing yet", () => {
    expect(renderToStaticMarkup(<Feed feed={new FeedStore()} />)).toContain("No events yet");
  });

  it("words the compliance rate", () => {
    expect(complianceText({ allowed: 0, total: 0, rate: null })).toBe("No tool calls yet");
    expect(complianceText({ allowed: 39, total: 40, rate: 39 / 40 })).toBe("97.5%");
  });
});
