import { useEffect, useRef, useState } from "react";
import type { Backend } from "./backend";
import { AuthScreen } from "./app/AuthScreen";
import { PAUSE_PARAM, routeHref, seqParam, type Route } from "./app/route";
import { Sidebar } from "./app/Sidebar";
import { takeQuietChange, useHashRoute } from "./app/useHashRoute";
import { useLiveFeed } from "./app/useLiveFeed";
import { usePendingApprovals } from "./app/usePendingApprovals";
import { useLoad } from "./components/useLoad";
import { ApprovalsView } from "./features/approvals/ApprovalsView";
import { summarize } from "./features/doctor/summary";
import { HealthView } from "./features/health/HealthView";
import { MarketplaceView } from "./features/marketplace/MarketplaceView";
import { FeedStore } from "./features/monitor/feedStore";
import { MonitorView } from "./features/monitor/MonitorView";
import { SettingsView } from "./features/settings/SettingsView";
import { SetupView } from "./features/setup/SetupView";
import { SopScreen } from "./features/sop/SopView";
import { LiveHub } from "./live/hub";
import { useLiveStatus } from "./live/useLive";

/** The app shell: sidebar, the screen the address names, and the shared live stream. */
export function App({ backend }: { backend: Backend }) {
  // One stream and one feed for the app's life: they keep collecting while other screens show.
  const [hub] = useState(() => new LiveHub());
  const [feed] = useState(() => new FeedStore());
  const [unauthorized, setUnauthorized] = useState(false);
  useEffect(() => backend.onUnauthorized(() => setUnauthorized(true)), [backend]);
  const route = useHashRoute();
  useLiveFeed(backend, hub, feed, !unauthorized);
  const pending = usePendingApprovals(backend, hub, !unauthorized);
  const live = useLiveStatus(hub);
  const doctor = useLoad(() => backend.doctor(), [backend]);
  const main = useFocusOnRouteChange(route);

  if (unauthorized) return <AuthScreen />;
  const needsInit = doctor.state === "ready" && !doctor.data.healthy && route.screen !== "health";
  return (
    <div className="shell">
      <button type="button" className="skip" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <Sidebar current={route.screen} pending={pending} live={live} desktop={backend.desktop !== undefined} />
      <main id="main" ref={main} tabIndex={-1}>
        {needsInit && (
          <p className="banner fail" role="alert">
            {summarize(doctor.data).headline} <a href={routeHref("health")}>Open Health to fix it.</a>
          </p>
        )}
        <Screen route={route} backend={backend} hub={hub} feed={feed} onInit={doctor.reload} />
      </main>
    </div>
  );
}

function Screen({ route, backend, hub, feed, onInit }: { route: Route; backend: Backend; hub: LiveHub; feed: FeedStore; onInit: () => void }) {
  switch (route.screen) {
    case "setup":
      return <SetupView backend={backend} hub={hub} />;
    case "marketplace":
      return <MarketplaceView backend={backend} hub={hub} skill={route.param} />;
    case "monitor":
      return <MonitorView backend={backend} hub={hub} feed={feed} seq={seqParam(route.param)} />;
    case "approvals":
      return <ApprovalsView backend={backend} hub={hub} />;
    case "sop":
      return <SopScreen backend={backend} pausing={route.param === PAUSE_PARAM} />;
    case "health":
      return <HealthView backend={backend} onInit={onInit} />;
    case "settings":
      return <SettingsView desktop={backend.desktop} />;
  }
}

/**
 * Moves focus to the new screen's heading when the route changes (not on
 * first load), so keyboard and screen-reader users land on the content.
 * A confirmation the address opened (`#/sop/pause`) keeps the focus it took,
 * and a screen rewriting its own address (replaceHash) does not move it.
 */
function useFocusOnRouteChange(route: Route) {
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (takeQuietChange(route) || first.current) {
      first.current = false;
      return;
    }
    const dialog = main.current?.querySelector('[role="alertdialog"]');
    if (dialog && dialog.contains(document.activeElement)) return;
    const h1 = main.current?.querySelector<HTMLElement>("h1");
    (h1 ?? main.current)?.focus();
  }, [route.screen, route.param]);
  return main;
}
