import { useCallback, useEffect, useState } from "react";
import type { Backend } from "./backend";
import type { DoctorReport } from "./bindings/DoctorReport";
import type { ErrorDto } from "./bindings/ErrorDto";
import { DoctorView } from "./features/doctor/DoctorView";
import { SetupView } from "./features/setup/SetupView";

type Load =
  | { state: "loading" }
  | { state: "ready"; report: DoctorReport }
  | { state: "failed"; error: ErrorDto };

/** The app shell: header plus the doctor report (more features come as folders). */
export function App({ backend }: { backend: Backend }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(() => {
    backend.doctor().then(
      (report) => setLoad({ state: "ready", report }),
      (error: ErrorDto) => setLoad({ state: "failed", error }),
    );
  }, [backend]);

  useEffect(refresh, [refresh]);

  const init = () => {
    setBusy(true);
    backend
      .init()
      .then(refresh, (error: ErrorDto) => setLoad({ state: "failed", error }))
      .finally(() => setBusy(false));
  };

  return (
    <main>
      <header>
        <h1>Universal Agent</h1>
        <p className="tagline">One set of instructions, skills and one SOP for every coding agent.</p>
      </header>
      {load.state === "loading" && <p>Checking your installation…</p>}
      {load.state === "failed" && (
        <p className="banner fail" role="alert">
          {load.error.message}
        </p>
      )}
      {load.state === "ready" && <DoctorView report={load.report} onInit={init} busy={busy} />}
      {load.state === "ready" && load.report.healthy && <SetupView backend={backend} />}
    </main>
  );
}
