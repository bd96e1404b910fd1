import type { Record } from "../../bindings/Record";

/** One audit record, with what the monitor filters and counts on parsed once. */
export interface FeedItem {
  seq: number;
  tsMs: number;
  agent: string;
  session: string;
  kind: string;
  severity: string;
  /** The decision's action (`allow`, `warn`, `deny`, `ask`), when the record has a decision. */
  action: string | null;
  /** The rule that decided, when one did. */
  rule: string | null;
  /** Decided in observe mode: the agent was answered allow. */
  observed: boolean;
  violation: boolean;
  record: Record;
}

const SEVERITIES = ["info", "warning", "error", "critical"];

/** Order of a severity name (unknown names rank with info). */
export function severityRank(severity: string): number {
  return Math.max(0, SEVERITIES.indexOf(severity));
}

export const SEVERITY_NAMES: readonly string[] = SEVERITIES;

interface DecisionFields {
  action?: unknown;
  rule?: unknown;
  observed?: unknown;
}

function parseDecision(text: string | null): DecisionFields {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === "object" ? (v as DecisionFields) : {};
  } catch {
    return {};
  }
}

/** A violation: severity error or critical, or a denied call. */
export function isViolation(severity: string, action: string | null): boolean {
  return severityRank(severity) >= 2 || action === "deny";
}

export function toFeedItem(record: Record): FeedItem {
  const d = parseDecision(record.decision);
  const action = typeof d.action === "string" ? d.action : null;
  return {
    // u64 fields are typed bigint but arrive as JSON numbers.
    seq: Number(record.seq),
    tsMs: Number(record.ts_ms),
    agent: record.agent,
    session: record.session,
    kind: record.kind,
    severity: record.severity,
    action,
    rule: typeof d.rule === "string" ? d.rule : null,
    observed: d.observed === true,
    violation: isViolation(record.severity, action),
    record,
  };
}

/**
 * One line about what the record is about (tool and command or path),
 * parsed on demand: only rows on screen pay for it.
 */
export function describePayload(payload: string): string {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return payload.slice(0, 200);
  }
  if (!v || typeof v !== "object") return "";
  const o = v as { [k: string]: unknown };
  const tool = o.tool as { name?: unknown; command?: unknown; paths?: unknown } | null | undefined;
  if (tool && typeof tool === "object") {
    const name = typeof tool.name === "string" ? tool.name : "tool";
    if (typeof tool.command === "string" && tool.command) return `${name}: ${tool.command}`;
    if (Array.isArray(tool.paths) && tool.paths.length > 0) return `${name}: ${tool.paths.join(", ")}`;
    return name;
  }
  for (const key of ["what", "reason", "message", "detail"]) {
    const x = o[key];
    if (typeof x === "string" && x) return x;
  }
  return typeof o.agent_event === "string" ? o.agent_event : "";
}
