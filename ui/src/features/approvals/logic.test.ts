import { describe, expect, it } from "vitest";
import type { ApprovalItem } from "../../bindings/ApprovalItem";
import { rec } from "../monitor/testRecords";
import { timeLeft, touchesApprovals } from "./logic";

const item = (expires: number | null): ApprovalItem => ({
  id: "rule:7",
  kind: "rule",
  agent: "claude",
  session: "s",
  rule: "ask-push",
  what: "git push",
  reason: "pushing needs a person",
  requested_ms: 0,
  expires_ms: expires,
  state: "pending",
  answered_by: null,
  answered_ms: null,
});

describe("approvals", () => {
  it("reloads on approval records only", () => {
    expect(touchesApprovals([{ type: "event", record: rec(1, { kind: "approval_requested" }) }])).toBe(true);
    expect(touchesApprovals([{ type: "event", record: rec(1) }, { type: "hello", head: 3 }])).toBe(false);
  });

  it("says how long is left", () => {
    expect(timeLeft(item(null), 5)).toEqual({ text: "no time limit", urgent: false, expired: false });
    expect(timeLeft(item(90_000), 0)).toEqual({ text: "1m 30s left", urgent: false, expired: false });
    expect(timeLeft(item(30_000), 0).urgent).toBe(true);
    expect(timeLeft(item(10), 20).expired).toBe(true);
  });
});
