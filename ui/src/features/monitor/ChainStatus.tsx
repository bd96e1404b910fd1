import { useState } from "react";
import type { Backend } from "../../backend";
import type { ErrorDto } from "../../bindings/ErrorDto";
import type { VerifyReport } from "../../bindings/VerifyReport";
import { ErrorBanner } from "../../components/Status";
import { formatTime } from "../../lib/time";

/** Whether the audit log's hash chain is intact, checked on request. */
export function ChainStatus({ backend }: { backend: Backend }) {
  const [report, setReport] = useState<{ r: VerifyReport; at: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorDto | null>(null);
  const verify = () => {
    setBusy(true);
    setError(null);
    backend
      .verify()
      .then((r) => setReport({ r, at: Date.now() }), setError)
      .finally(() => setBusy(false));
  };
  return (
    <div className="card chain">
      <div className="stat-label">Audit chain</div>
      <div data-testid="chain-status" role="status">
        {report === null ? (
          <span className="muted">Not verified yet.</span>
        ) : report.r.ok ? (
          <span className="ok-text">
            Intact: {Number(report.r.records).toLocaleString()} records up to #{Number(report.r.head_seq)}
            {report.r.checkpoint_seq !== null ? `, signed checkpoint at #${Number(report.r.checkpoint_seq)}` : ""} (checked {formatTime(report.at)})
          </span>
        ) : (
          <span className="fail-text">
            Broken at #{report.r.problem ? Number(report.r.problem.seq) : "?"}: {report.r.problem?.kind.replace("_", " ")} — {report.r.problem?.detail}
          </span>
        )}
      </div>
      <button type="button" className="secondary small" onClick={verify} disabled={busy} data-testid="verify-button">
        {busy ? "Verifying…" : "Verify"}
      </button>
      {error && <ErrorBanner error={error} />}
    </div>
  );
}
