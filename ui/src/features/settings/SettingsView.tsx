import { useState } from "react";
import type { DesktopBackend } from "../../backend";
import type { DesktopSettings } from "../../bindings/DesktopSettings";
import type { ErrorDto } from "../../bindings/ErrorDto";
import { Badge, Empty, ErrorBanner, Loading } from "../../components/Status";
import { useLoad } from "../../components/useLoad";
import { setToggle, type Toggle } from "./logic";

/** The desktop app's settings: start at login, do not disturb, where secrets live, who runs the duties. */
export function SettingsView({ desktop }: { desktop: DesktopBackend | undefined }) {
  if (!desktop) {
    return (
      <>
        <h1 tabIndex={-1}>Settings</h1>
        <Empty>These settings belong to the desktop app.</Empty>
      </>
    );
  }
  return <DesktopSettingsView desktop={desktop} />;
}

function DesktopSettingsView({ desktop }: { desktop: DesktopBackend }) {
  const load = useLoad(() => desktop.settings(), [desktop]);
  // The state the last change answered (it replaces what was loaded).
  const [changed, setChanged] = useState<DesktopSettings | null>(null);
  const [pending, setPending] = useState<{ which: Toggle; on: boolean } | null>(null);
  const [error, setError] = useState<ErrorDto | null>(null);
  const s = changed ?? load.data;

  if (!s) {
    return (
      <>
        <h1 tabIndex={-1}>Settings</h1>
        {load.state === "failed" ? <ErrorBanner error={load.error} onRetry={load.reload} /> : <Loading what="the settings" />}
      </>
    );
  }

  const change = (which: Toggle, on: boolean) => {
    setPending({ which, on });
    setError(null);
    setToggle(desktop, which, on)
      .then(setChanged, setError)
      .finally(() => setPending(null));
  };

  return (
    <>
      <h1 tabIndex={-1}>Settings</h1>
      <SettingsPanel settings={s} pending={pending} error={error} onChange={change} />
    </>
  );
}

/**
 * The settings as shown: the two switches (a change under way shows the
 * asked-for state, disabled), where secrets live, who runs the duties.
 */
export function SettingsPanel({
  settings: s,
  pending,
  error,
  onChange: change,
}: {
  settings: DesktopSettings;
  pending: { which: Toggle; on: boolean } | null;
  error: ErrorDto | null;
  onChange: (which: Toggle, on: boolean) => void;
}) {
  const checked = (which: Toggle) => (pending?.which === which ? pending.on : s[which]);
  return (
    <>
      <section className="card" aria-labelledby="app-h">
        <h2 id="app-h">Desktop app</h2>
        {error && <ErrorBanner error={error} />}
        <div className="setting">
          <input
            type="checkbox"
            role="switch"
            className="switch"
            id="start-at-login"
            checked={checked("start_at_login")}
            disabled={pending !== null}
            aria-describedby="start-at-login-help"
            onChange={(e) => change("start_at_login", e.target.checked)}
            data-testid="start-at-login"
          />
          <label htmlFor="start-at-login">Start at login</label>
          <p id="start-at-login-help" className="muted">
            Starts hidden in the tray when you log in.
          </p>
          {s.start_at_login && s.autostart_entry && (
            <p className="small">
              <span className="muted">Autostart entry: </span>
              <code data-testid="autostart-entry">{s.autostart_entry}</code>
            </p>
          )}
        </div>
        <div className="setting">
          <input
            type="checkbox"
            role="switch"
            className="switch"
            id="do-not-disturb"
            checked={checked("do_not_disturb")}
            disabled={pending !== null}
            aria-describedby="do-not-disturb-help"
            onChange={(e) => change("do_not_disturb", e.target.checked)}
            data-testid="do-not-disturb"
          />
          <label htmlFor="do-not-disturb">Do not disturb</label>
          <p id="do-not-disturb-help" className="muted">
            No notification pop-ups; the tray still counts what needs you.
          </p>
        </div>
      </section>
      <section className="card" aria-labelledby="secrets-h">
        <h2 id="secrets-h">
          Secrets{" "}
          {!s.secrets_in_keyring && (
            <Badge tone="warn" title="No OS keyring answered">
              not in a keyring
            </Badge>
          )}
        </h2>
        <p data-testid="secrets">{s.secrets}</p>
        {!s.secrets_in_keyring && <p className="callout warn">No OS keyring answered, so the home&apos;s secrets are kept in a file.</p>}
      </section>
      <section className="card" aria-labelledby="service-h">
        <h2 id="service-h">Service</h2>
        <p data-testid="duties">{s.duties}</p>
      </section>
    </>
  );
}
