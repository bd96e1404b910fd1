/** The screens, in sidebar order. */
export const SCREENS = [
  { id: "setup", label: "Setup" },
  { id: "marketplace", label: "Marketplace" },
  { id: "monitor", label: "Live monitor" },
  { id: "approvals", label: "Approvals" },
  { id: "sop", label: "SOP" },
  { id: "health", label: "Health" },
] as const;

export type ScreenId = (typeof SCREENS)[number]["id"];

export interface Route {
  screen: ScreenId;
  /** The rest of the path, e.g. a skill's name for `#/marketplace/<name>`. */
  param: string | null;
}

export const DEFAULT_ROUTE: Route = { screen: "setup", param: null };

/** Other names people may type for a screen. */
const ALIASES: { [name: string]: ScreenId } = { skills: "marketplace" };

/** Reads `#/screen[/param]`; anything else is the default screen. */
export function parseRoute(hash: string): Route {
  const m = /^#\/([a-z]+)(?:\/(.+))?$/.exec(hash.split(/[?&]/)[0]);
  if (!m) return DEFAULT_ROUTE;
  const name = ALIASES[m[1]] ?? m[1];
  const screen = SCREENS.find((s) => s.id === name);
  if (!screen) return DEFAULT_ROUTE;
  let param: string | null = null;
  if (m[2]) {
    try {
      param = decodeURIComponent(m[2]);
    } catch {
      param = m[2];
    }
  }
  return { screen: screen.id, param };
}

export function routeHref(screen: ScreenId, param?: string): string {
  return param ? `#/${screen}/${encodeURIComponent(param)}` : `#/${screen}`;
}
