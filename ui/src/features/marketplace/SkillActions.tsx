import { useState } from "react";
import type { Backend } from "../../backend";
import type { ErrorDto } from "../../bindings/ErrorDto";
import type { SkillPage } from "../../bindings/SkillPage";
import type { SkillsReport } from "../../bindings/SkillsReport";
import { Confirm } from "../../components/Confirm";
import { Progress } from "../../components/Progress";
import { ErrorBanner } from "../../components/Status";
import type { LiveHub } from "../../live/hub";
import { availableActions, installRequest, type SkillAction } from "./logic";
import { SkillsReportView } from "./SkillsReportView";

const LABEL: { [A in SkillAction]: [string, string] } = {
  install: ["Install", "Installing"],
  update: ["Update", "Updating"],
  rollback: ["Roll back", "Rolling back"],
  remove: ["Remove", "Removing"],
};

/** Install / Update / Rollback / Remove with progress and the result. */
export function SkillActions({ backend, hub, page, onChanged }: { backend: Backend; hub: LiveHub; page: SkillPage; onChanged: () => void }) {
  const [version, setVersion] = useState("");
  const [busy, setBusy] = useState<SkillAction | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [error, setError] = useState<ErrorDto | null>(null);
  const [report, setReport] = useState<SkillsReport | null>(null);

  const run = (action: SkillAction) => {
    setBusy(action);
    setError(null);
    setReport(null);
    const call = {
      install: () => backend.skillInstall(installRequest(page.name, version || null)),
      update: () => backend.skillUpdate(page.name),
      rollback: () => backend.skillRollback(page.name),
      remove: () => backend.skillRemove(page.name),
    }[action];
    call()
      .then((r) => {
        setReport(r);
        setConfirmRemove(false);
        onChanged();
      }, setError)
      .finally(() => setBusy(null));
  };

  const actions = availableActions(page);
  return (
    <div className="skill-actions">
      <div className="actions">
        {actions.includes("install") && page.versions.length > 1 && (
          <label>
            Version{" "}
            <select value={version} onChange={(e) => setVersion(e.target.value)} disabled={busy !== null}>
              <option value="">newest</option>
              {page.versions
                .filter((v) => !v.yanked)
                .map((v) => (
                  <option key={v.version} value={v.version}>
                    {v.version}
                  </option>
                ))}
            </select>
          </label>
        )}
        {actions
          .filter((a) => a !== "remove")
          .map((a) => (
            <button key={a} type="button" data-testid={`${a}-button`} className={a === "rollback" ? "secondary" : undefined} disabled={busy !== null} onClick={() => run(a)}>
              {busy === a ? `${LABEL[a][1]}…` : LABEL[a][0]}
            </button>
          ))}
        {actions.includes("remove") && !confirmRemove && (
          <button type="button" className="danger" data-testid="remove-button" disabled={busy !== null} onClick={() => setConfirmRemove(true)}>
            Remove…
          </button>
        )}
      </div>
      {confirmRemove && (
        <Confirm confirmLabel="Remove" danger busy={busy !== null} onConfirm={() => run("remove")} onCancel={() => setConfirmRemove(false)} testId="remove-confirm">
          Remove {page.name} from every agent{page.dependents.length > 0 ? ` (needed by ${page.dependents.join(", ")})` : ""}?
        </Confirm>
      )}
      <Progress hub={hub} active={busy !== null} opPrefix="skill" label={busy ? LABEL[busy][1] : ""} />
      {error && <ErrorBanner error={error} />}
      {report && <SkillsReportView report={report} />}
    </div>
  );
}
