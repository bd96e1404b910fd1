import type { EnforcementMode } from "../../bindings/EnforcementMode";
import type { Mode } from "../../bindings/Mode";

/** The home-wide mode and the agents that differ from it. */
export function modeSummary(m: EnforcementMode): { global: Mode; overrides: { agent: string; mode: Mode; by: string }[] } {
  const overrides = Object.entries(m.agents)
    .filter(([, s]) => s !== undefined && s.mode !== m.global.mode)
    .map(([agent, s]) => ({ agent, mode: s.mode, by: s.by }))
    .sort((a, b) => a.agent.localeCompare(b.agent));
  return { global: m.global.mode, overrides };
}

/** What switching to `to` means, for the confirmation. */
export function switchConsequence(to: Mode): string {
  return to === "observe"
    ? "In observe mode the SOP still decides and records every call, but nothing is blocked: denied calls go ahead. Use it to try an SOP without stopping agents."
    : "In enforce mode calls the SOP denies are blocked, and agents are told why.";
}

/** Enforcement is paused: every agent without its own setting only observes. */
export function isPaused(m: EnforcementMode): boolean {
  return m.global.mode === "observe";
}

/** What pausing enforcement (`#/sop/pause`, the tray's "Pause enforcement…") means. */
export const PAUSE_CONSEQUENCE =
  "Until you resume enforcement, agents' calls are allowed and only recorded (observe mode): calls the SOP denies go ahead. Per-agent settings are replaced.";
export const PAUSE_AUDIT = "The pause is recorded in the audit log as critical.";

export type Tone = "ok" | "warn" | "fail" | "info" | "neutral";

/** Badge color of a rule's action. */
export function actionTone(action: string): Tone {
  switch (action) {
    case "allow":
      return "ok";
    case "warn":
      return "warn";
    case "deny":
      return "fail";
    case "ask":
      return "info";
    default:
      return "neutral";
  }
}
