import { useState } from "react";
import type { Backend } from "../../backend";
import type { EnforcementMode } from "../../bindings/EnforcementMode";
import type { ErrorDto } from "../../bindings/ErrorDto";
import type { Mode } from "../../bindings/Mode";
import type { ModeReport } from "../../bindings/ModeReport";
import { Confirm } from "../../components/Confirm";
import { Badge, ErrorBanner } from "../../components/Status";
import { isPaused, modeSummary, switchConsequence } from "./logic";

/**
 * The enforcement mode, and switching it after a confirmation. While
 * enforcement is paused (observe) it says so plainly, with "Resume enforcement".
 */
export function ModeToggle({ backend, mode, onChanged }: { backend: Backend; mode: EnforcementMode; onChanged: () => void }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorDto | null>(null);
  const [report, setReport] = useState<ModeReport | null>(null);
  const s = modeSummary(mode);
  const to: Mode = s.global === "enforce" ? "observe" : "enforce";
  const paused = isPaused(mode);

  const run = () => {
    setBusy(true);
    setError(null);
    backend
      .setMode(to)
      .then((r) => {
        setReport(r);
        setAsking(false);
        onChanged();
      }, setError)
      .finally(() => setBusy(false));
  };

  return (
    <section className="card" aria-labelledby="mode-h">
      <h2 id="mode-h">Mode</h2>
      {paused && (
        <p className="banner warn" role="status" data-testid="enforcement-paused">
          Enforcement is paused{s.overrides.length > 0 ? " for every agent without its own setting" : ""}: agents&apos; calls are allowed and only recorded.
        </p>
      )}
      <p>
        <Badge tone={s.global === "enforce" ? "ok" : "warn"}>{s.global}</Badge>{" "}
        {s.global === "enforce" ? "Denied calls are blocked." : "Denied calls are recorded, not blocked."}
        {mode.global.by && <span className="muted"> Set by {mode.global.by}.</span>}
      </p>
      {s.overrides.length > 0 && (
        <ul className="detail">
          {s.overrides.map((o) => (
            <li key={o.agent}>
              {o.agent}: {o.mode}
              {o.by ? ` (set by ${o.by})` : ""}
            </li>
          ))}
        </ul>
      )}
      {error && <ErrorBanner error={error} />}
      {report && report.cleared.length > 0 && (
        <p className="banner ok" role="status">
          Per-agent settings removed: {report.cleared.join(", ")}.
        </p>
      )}
      {asking ? (
        <Confirm confirmLabel={paused ? "Resume enforcement" : `Switch to ${to}`} danger={to === "observe"} busy={busy} onConfirm={run} onCancel={() => setAsking(false)} testId="mode-confirm">
          <p>
            Switch every agent to <strong>{to}</strong>?{s.overrides.length > 0 ? " Per-agent settings are replaced." : ""}
          </p>
          <p>{switchConsequence(to)}</p>
        </Confirm>
      ) : paused ? (
        <button type="button" onClick={() => setAsking(true)} data-testid="mode-toggle">
          Resume enforcement
        </button>
      ) : (
        <button type="button" role="switch" aria-checked={s.global === "enforce"} onClick={() => setAsking(true)} data-testid="mode-toggle">
          Enforce: {s.global === "enforce" ? "on" : "off"} — switch to {to}…
        </button>
      )}
    </section>
  );
}
