import type { DoctorReport } from "../../bindings/DoctorReport";
import { summarize } from "./summary";

/** The doctor report: checks with fixes (agents are listed by SetupView). */
export function DoctorView({
  report,
  onInit,
  busy,
}: {
  report: DoctorReport;
  onInit: () => void;
  busy: boolean;
}) {
  const summary = summarize(report);
  return (
    <section>
      <p className={`banner ${report.healthy ? "ok" : "fail"}`} data-testid="health">
        {summary.headline}
      </p>
      {summary.needsInit && (
        <button onClick={onInit} disabled={busy}>
          {busy ? "Setting up…" : `Set up ${report.home}`}
        </button>
      )}
      <h2>Checks</h2>
      <ul className="checks">
        {report.checks.map((c) => (
          <li key={c.id} className={c.status}>
            <strong>{c.id}</strong> {c.summary}
            {c.fix && <div className="fix">Fix: {c.fix}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
}
