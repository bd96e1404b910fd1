import type { SetupReport } from "../../bindings/SetupReport";

/** Approvals the user must give, notices and skipped agents of a setup report. */
export function ReportNotes({ report }: { report: SetupReport }) {
  return (
    <>
      {report.approvals.length > 0 && (
        <div className="callout warn">
          <h3>You must approve in the agents</h3>
          <ul>
            {report.approvals.map((a) => (
              <li key={a.agent}>
                <strong>{a.agent}</strong>: {a.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {report.skipped.length > 0 && (
        <div className="callout fail">
          <h3>Left out</h3>
          <ul>
            {report.skipped.map((s) => (
              <li key={`${s.agent}:${s.path}`}>
                <strong>{s.agent}</strong> — <code>{s.path}</code>: {s.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      {report.notices.length > 0 && (
        <div className="callout info">
          <h3>Notes</h3>
          <ul>
            {report.notices.map((n) => (
              <li key={`${n.agent}:${n.path}:${n.message}`}>
                <strong>{n.agent}</strong> — <code>{n.path}</code>: {n.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}
