import { useState } from "react";
import { routeHref } from "../../app/route";
import { goTo } from "../../app/useHashRoute";
import type { Backend } from "../../backend";
import type { ErrorDto } from "../../bindings/ErrorDto";
import type { ModeReport } from "../../bindings/ModeReport";
import { Confirm } from "../../components/Confirm";
import { ErrorBanner } from "../../components/Status";
import { PAUSE_AUDIT, PAUSE_CONSEQUENCE } from "./logic";

/**
 * The answer to "Pause enforcement for all agents?": Confirm sets every
 * agent to observe (per-agent settings are replaced), then leaves for
 * `#/sop`; Cancel just leaves. A failed pause rejects (ErrorDto) and stays.
 */
export async function answerPause(backend: Backend, confirmed: boolean, leave: (href: string) => void): Promise<ModeReport | null> {
  const report = confirmed ? await backend.setMode("observe") : null;
  leave(routeHref("sop"));
  return report;
}

/**
 * `#/sop/pause` (the tray's "Pause enforcement…"): asks before pausing.
 * `onPaused` is told after a pause succeeded; a failure is shown here,
 * with Confirm to try again.
 */
export function PauseConfirm({
  backend,
  alreadyPaused,
  onPaused,
  leave = goTo,
}: {
  backend: Backend;
  alreadyPaused: boolean;
  onPaused: () => void;
  leave?: (href: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorDto | null>(null);

  const run = () => {
    setBusy(true);
    setError(null);
    answerPause(backend, true, leave)
      .then(onPaused, setError)
      .finally(() => setBusy(false));
  };

  return (
    <>
      {error && <ErrorBanner error={error} />}
      <Confirm
        confirmLabel="Pause enforcement"
        danger
        busy={busy}
        onConfirm={run}
        onCancel={() => void answerPause(backend, false, leave)}
        testId="pause-confirm"
        cancelTestId="pause-cancel"
      >
        <p>
          <strong>Pause enforcement for all agents?</strong>
        </p>
        <p>{PAUSE_CONSEQUENCE}</p>
        <p>{PAUSE_AUDIT}</p>
        {alreadyPaused && <p className="muted">Enforcement is already paused.</p>}
      </Confirm>
    </>
  );
}
