import type { SkillsReport } from "../../bindings/SkillsReport";
import { Changes } from "../../components/Changes";

/** What a skill command changed: versions, downloads and the agents' files. */
export function SkillsReportView({ report }: { report: SkillsReport }) {
  const files = report.materialized?.changes ?? [];
  return (
    <div className="report" data-testid="skills-report">
      <p className="banner ok" role="status">
        {report.changes.length === 0
          ? `${report.command}: nothing changed.`
          : `${report.command}: ${report.changes.map((c) => `${c.name} ${c.from ?? "—"} → ${c.to ?? "removed"}`).join(", ")}.`}
      </p>
      {report.downloaded.length > 0 && <p className="muted">Downloaded and verified: {report.downloaded.join(", ")}</p>}
      {report.notices.length > 0 && (
        <ul className="callout info">
          {report.notices.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {report.materialized && (
        <>
          <h3>Files written into the agents' folders</h3>
          <Changes changes={files} />
          {report.materialized.approvals.map((a) => (
            <p key={a.agent} className="callout warn">
              <strong>{a.agent}</strong>: {a.message}
            </p>
          ))}
        </>
      )}
    </div>
  );
}
