import type { DoctorReport } from "../../bindings/DoctorReport";

export interface Summary {
  headline: string;
  needsInit: boolean;
}

/** One-line verdict and whether offering "set up" makes sense. */
export function summarize(report: DoctorReport): Summary {
  const failed = report.checks.filter((c) => c.status === "fail");
  const installed = report.agents.filter((a) => a.installed).length;
  const agents = `${installed} of ${report.agents.length} agents found`;
  const needsInit = failed.some((c) => c.fix?.includes("uas init") ?? false);
  if (failed.length === 0) {
    return { headline: `Healthy — ${agents}.`, needsInit };
  }
  const names = failed.map((c) => c.id).join(", ");
  return { headline: `${failed.length} problem(s): ${names} — ${agents}.`, needsInit };
}
