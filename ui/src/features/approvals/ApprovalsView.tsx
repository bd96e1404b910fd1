import { useState } from "react";
import type { ApprovalAnswer, Backend } from "../../backend";
import type { ErrorDto } from "../../bindings/ErrorDto";
import { ErrorBanner, Loading } from "../../components/Status";
import { useLoad } from "../../components/useLoad";
import type { LiveHub } from "../../live/hub";
import { useLive } from "../../live/useLive";
import { useNow } from "../monitor/useNow";
import { HistoryTable } from "./HistoryTable";
import { touchesApprovals } from "./logic";
import { PendingList } from "./PendingList";

/** Pending approval requests with Approve/Refuse, and the history. */
export function ApprovalsView({ backend, hub }: { backend: Backend; hub: LiveHub }) {
  const view = useLoad(() => backend.approvals(), [backend]);
  const now = useNow(1000);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ErrorDto | null>(null);
  useLive(hub, (batch) => touchesApprovals(batch) && view.reload());

  const answer = (id: string, a: ApprovalAnswer) => {
    setBusy(id);
    setError(null);
    backend
      .answer(id, a)
      .then(view.reload, setError)
      .finally(() => setBusy(null));
  };

  return (
    <>
      <h1 tabIndex={-1}>Approvals</h1>
      <p className="lead">When the SOP says a person must decide, the request waits here. The agent goes on once you answer.</p>
      {error && <ErrorBanner error={error} />}
      {view.state === "failed" && <ErrorBanner error={view.error} onRetry={view.reload} />}
      {!view.data && view.state === "loading" && <Loading what="approval requests" />}
      {view.data && (
        <>
          <section aria-labelledby="pending-h">
            <h2 id="pending-h">Waiting ({view.data.pending.length})</h2>
            <PendingList items={view.data.pending} now={now} busy={busy} onAnswer={answer} />
          </section>
          <section aria-labelledby="history-h">
            <h2 id="history-h">History</h2>
            <HistoryTable items={view.data.history} />
          </section>
        </>
      )}
    </>
  );
}
