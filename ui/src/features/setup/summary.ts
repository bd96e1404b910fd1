import type { StatusReport } from "../../bindings/StatusReport";

export interface SetupSummary {
  /** Detected agents not set up yet, or drifted. */
  pending: string[];
  headline: string;
}

/** What "Set up agents" would do, in one line. */
export function setupSummary(report: StatusReport): SetupSummary {
  const installed = report.agents.filter((a) => a.detection.installed);
  const pending = installed
    .filter((a) => !a.configured || a.drift.length > 0)
    .map((a) => a.detection.agent);
  const locked = report.guard.locked;
  if (locked.length > 0) {
    return { pending, headline: `${locked.length} agent session(s) locked: a protected file changed outside uas. Run \`uas status\`.` };
  }
  const off = report.agents.filter((a) => a.configured && a.off.length > 0).map((a) => a.detection.agent);
  if (off.length > 0) {
    return { pending, headline: `Enforcement is OFF for ${off.join(", ")}: a setting of the agent switches its hooks off. Run \`uas status\`.` };
  }
  const paused = [
    ...(report.mode.global.mode === "observe" ? ["all agents"] : []),
    ...Object.entries(report.mode.agents)
      .filter(([, m]) => m?.mode === "observe")
      .map(([a]) => a),
  ];
  if (paused.length > 0) {
    return { pending, headline: `Enforcement is paused for ${paused.join(", ")}: denials are recorded, not enforced. Run \`uas sop mode enforce\` to resume.` };
  }
  if (installed.length === 0) {
    return { pending, headline: "No agents found on this machine." };
  }
  if (pending.length === 0) {
    return { pending, headline: `All ${installed.length} detected agent(s) are set up.` };
  }
  return { pending, headline: `${pending.length} of ${installed.length} detected agent(s) need setup: ${pending.join(", ")}.` };
}
