import type { AgentId } from "../../bindings/AgentId";
import type { AgentSelection } from "../../bindings/AgentSelection";
import type { AgentStatus } from "../../bindings/AgentStatus";
import type { Capabilities } from "../../bindings/Capabilities";
import type { SetupReport } from "../../bindings/SetupReport";

/**
 * The selection to send: "detected" when the user kept exactly the
 * detected agents (so the server decides, as `uas setup` does), else the
 * explicit list.
 */
export function selectionFor(chosen: readonly AgentId[], detected: readonly AgentId[]): AgentSelection {
  const a = [...new Set(chosen)].sort();
  const b = [...new Set(detected)].sort();
  if (a.length === b.length && a.every((x, i) => x === b[i])) return "detected";
  return { only: a };
}

/** What an agent's hooks can do, in plain words. */
export function capabilityFacts(c: Capabilities): { text: string; tone: "ok" | "warn" | "fail" }[] {
  if (!c.hooks) return [{ text: "No hooks: uas can give it instructions and skills but cannot see or block its tool calls.", tone: "warn" }];
  const facts: { text: string; tone: "ok" | "warn" | "fail" }[] = [
    c.can_block ? { text: "Can block a tool call before it runs.", tone: "ok" } : { text: "Cannot block tool calls: uas only records them.", tone: "warn" },
    c.on_failure === "closed"
      ? { text: "Fails closed: if the hook crashes, the call is refused.", tone: "ok" }
      : { text: "Fails open: if the hook crashes or times out, the call goes ahead.", tone: "warn" },
  ];
  if (c.approval) facts.push({ text: `Needs your approval: ${c.approval}`, tone: "warn" });
  return facts;
}

export type AgentState = { label: string; tone: "ok" | "warn" | "fail" | "neutral" };

/** One word or phrase for where an agent stands. */
export function agentState(a: AgentStatus): AgentState {
  if (!a.detection.installed) return { label: "not found", tone: "neutral" };
  if (!a.configured) return { label: "not set up", tone: "warn" };
  if (a.off.length > 0) return { label: "enforcement off", tone: "fail" };
  if (a.hook_bins.some((h) => h.problem !== null)) return { label: "hook program missing", tone: "fail" };
  if (a.drift.length > 0) return { label: `drifted (${a.drift.length} file${a.drift.length === 1 ? "" : "s"})`, tone: "warn" };
  if (a.hooks === "awaiting_approval") return { label: "set up — approve hooks in the agent", tone: "warn" };
  return { label: "set up", tone: "ok" };
}

/** Detected agents, in status order. */
export function detectedAgents(agents: AgentStatus[]): AgentId[] {
  return agents.filter((a) => a.detection.installed).map((a) => a.detection.agent);
}

/** Agents whose files drifted and can be repaired. */
export function driftedAgents(agents: AgentStatus[]): AgentId[] {
  return agents.filter((a) => a.configured && a.drift.length > 0).map((a) => a.detection.agent);
}

/** Verdict after apply: verified when nothing is left different. */
export function applyVerdict(r: SetupReport): { verified: boolean; headline: string } {
  const n = r.changes.length;
  const gen = r.generation === null ? "" : ` as apply #${Number(r.generation)}`;
  if (r.unverified.length > 0) {
    return { verified: false, headline: `Applied ${n} change(s)${gen}, but ${r.unverified.length} difference(s) remain.` };
  }
  return { verified: true, headline: n === 0 ? "Nothing needed changing; everything is verified." : `Applied and verified ${n} change(s)${gen}.` };
}
