import { useState } from "react";
import type { Backend } from "../../backend";
import type { ErrorDto } from "../../bindings/ErrorDto";
import type { HealthReport } from "../../bindings/HealthReport";
import { Badge, ErrorBanner, Loading } from "../../components/Status";
import { useLoad } from "../../components/useLoad";
import { DoctorView } from "../doctor/DoctorView";

const TONE = { ok: "ok", degraded: "warn", down: "fail" } as const;

/** The service's health checks. */
export function HealthChecks({ report }: { report: HealthReport }) {
  return (
    <section aria-labelledby="service-h">
      <h2 id="service-h">
        Service <Badge tone={TONE[report.status]}>{report.status}</Badge>
      </h2>
      <ul className="checks">
        {report.checks.map((c) => (
          <li key={c.name} className={c.status === "ok" ? "ok" : c.status === "degraded" ? "warn" : "fail"}>
            <strong>{c.name}</strong> {c.detail}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Health: the service's checks and the doctor report, with "set up" when the home is missing. */
export function HealthView({ backend, onInit }: { backend: Backend; onInit: () => void }) {
  const health = useLoad(() => backend.health(), [backend]);
  const doctor = useLoad(() => backend.doctor(), [backend]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorDto | null>(null);
  const init = () => {
    setBusy(true);
    setError(null);
    backend
      .init()
      .then(() => {
        doctor.reload();
        health.reload();
        onInit();
      }, setError)
      .finally(() => setBusy(false));
  };
  return (
    <>
      <h1 tabIndex={-1}>Health</h1>
      {error && <ErrorBanner error={error} />}
      {health.data ? <HealthChecks report={health.data} /> : health.state === "failed" ? <ErrorBanner error={health.error} onRetry={health.reload} /> : <Loading what="the service's health" />}
      <h2>Installation</h2>
      {doctor.state === "failed" && <ErrorBanner error={doctor.error} onRetry={doctor.reload} />}
      {!doctor.data && doctor.state === "loading" && <Loading what="the doctor report" />}
      {doctor.data && (
        <>
          <p className="muted">
            uas {doctor.data.version} · home <code>{doctor.data.home}</code>
          </p>
          <DoctorView report={doctor.data} onInit={init} busy={busy} />
        </>
      )}
    </>
  );
}
