import { useState } from "react";
import type { Backend } from "../../backend";
import { ErrorBanner, Loading } from "../../components/Status";
import { useLoad } from "../../components/useLoad";
import type { LiveHub } from "../../live/hub";
import { AgentStatusList } from "./AgentStatusList";
import { RollbackPanel } from "./RollbackPanel";
import { SetupWizard } from "./SetupWizard";
import { setupSummary } from "./summary";
import { UninstallPanel } from "./UninstallPanel";

/** The Setup screen: the wizard, per-agent status with repair, undo and uninstall. */
export function SetupView({ backend, hub }: { backend: Backend; hub: LiveHub }) {
  const status = useLoad(() => backend.status(), [backend]);
  // Bumped after every change so the list of applies is read again.
  const [changes, setChanges] = useState(0);
  const changed = () => {
    status.reload();
    setChanges((n) => n + 1);
  };
  if (!status.data) {
    return (
      <>
        <h1 tabIndex={-1}>Setup</h1>
        {status.state === "failed" ? <ErrorBanner error={status.error} onRetry={status.reload} /> : <Loading what="your agents" />}
      </>
    );
  }
  const report = status.data;
  return (
    <>
      <h1 tabIndex={-1}>Setup</h1>
      <p className="lead" data-testid="setup-headline">
        {setupSummary(report).headline}
      </p>
      {status.state === "failed" && <ErrorBanner error={status.error} onRetry={status.reload} />}
      {report.interrupted.map((i) => (
        <p key={Number(i.generation)} className="banner fail" role="alert">
          Apply #{Number(i.generation)} ({i.command}) was interrupted: {i.message}
        </p>
      ))}
      <SetupWizard backend={backend} hub={hub} agents={report.agents} onApplied={changed} />
      <AgentStatusList backend={backend} agents={report.agents} onChanged={changed} />
      <RollbackPanel backend={backend} version={changes} onChanged={changed} />
      <UninstallPanel backend={backend} agents={report.agents} onChanged={changed} />
    </>
  );
}
