import type { LiveStatus } from "../backend";
import { LiveIndicator } from "./LiveIndicator";
import { routeHref, SCREENS, type ScreenId } from "./route";

/**
 * The screens, as links (the address fragment selects the screen). The
 * desktop-only ones (Settings) show only when `desktop` is true.
 */
export function Sidebar({ current, pending, live, desktop = false }: { current: ScreenId; pending: number | null; live: LiveStatus; desktop?: boolean }) {
  return (
    <nav className="sidebar" aria-label="Screens">
      <div className="brand">
        <img src="/favicon.svg" alt="" width={28} height={28} />
        <span>Universal Agent</span>
      </div>
      <ul>
        {SCREENS.filter((s) => desktop || !s.desktop).map((s) => (
          <li key={s.id}>
            <a href={routeHref(s.id)} aria-current={s.id === current ? "page" : undefined} data-testid={`nav-${s.id}`}>
              {s.label}
              {s.id === "approvals" && pending !== null && pending > 0 && (
                <span className="count" aria-label={`${pending} waiting`}>
                  {pending}
                </span>
              )}
            </a>
          </li>
        ))}
      </ul>
      <div className="sidebar-foot">
        <LiveIndicator status={live} />
      </div>
    </nav>
  );
}
