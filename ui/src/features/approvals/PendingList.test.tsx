import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { ApprovalItem } from "../../bindings/ApprovalItem";
import { HistoryTable } from "./HistoryTable";
import { PendingList } from "./PendingList";

const item: ApprovalItem = {
  id: "plan:claude:s1",
  kind: "plan",
  agent: "claude",
  session: "s1",
  rule: null,
  what: "start implementing the plan in PLAN.md",
  reason: "the implement phase needs human approval",
  requested_ms: 0,
  expires_ms: 120_000,
  state: "pending",
  answered_by: null,
  answered_ms: null,
};

describe("PendingList", () => {
  it("shows what, why and time left with approve and refuse", () => {
    const html = renderToStaticMarkup(<PendingList items={[item]} now={0} busy={null} onAnswer={() => {}} />);
    expect(html).toContain('data-testid="approve-plan:claude:s1"');
    expect(html).toContain('data-testid="refuse-plan:claude:s1"');
    expect(html).toContain("the implement phase needs human approval");
    expect(html).toContain("2m 00s left");
  });

  it("disables answering an expired request, and says when nothing waits", () => {
    expect(renderToStaticMarkup(<PendingList items={[item]} now={200_000} busy={null} onAnswer={() => {}} />)).toMatch(/disabled=""[^>]*data-testid="approve-|data-testid="approve-[^"]*" disabled=""/);
    expect(renderToStaticMarkup(<PendingList items={[]} now={0} busy={null} onAnswer={() => {}} />)).toContain("Nothing is waiting");
  });

  it("lists the history", () => {
    const html = renderToStaticMarkup(<HistoryTable items={[{ ...item, state: "refused", answered_by: "ann", answered_ms: 5 }]} />);
    expect(html).toContain("refused");
    expect(html).toContain("ann");
  });
});
