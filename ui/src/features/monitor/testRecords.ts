import type { Record } from "../../bindings/Record";

/** A record as it arrives at runtime (u64 fields as JSON numbers), for tests. */
export function rec(seq: number, over: Partial<{ [K in keyof Record]: unknown }> = {}): Record {
  return {
    seq,
    ts_ms: 1_700_000_000_000 + seq * 1000,
    agent: "claude",
    session: "s1",
    kind: "pre_tool",
    severity: "info",
    payload: '{"tool":{"name":"Bash","command":"ls"}}',
    decision: '{"action":"allow","severity":"info","phase":"work"}',
    prev_hash: "",
    hash: "",
    ...over,
  } as unknown as Record;
}

export const deny = (rule: string) => JSON.stringify({ action: "deny", rule, severity: "error", phase: "work" });
