/** The screens, in sidebar order (`desktop`: only in the desktop app). */
export const SCREENS = [
  { id: "setup", label: "Setup", desktop: false },
  { id: "marketplace", label: "Marketplace", desktop: false },
  { id: "monitor", label: "Live monitor", desktop: false },
  { id: "approvals", label: "Approvals", desktop: false },
  { id: "sop", label: "SOP", desktop: false },
  { id: "health", label: "Health", desktop: false },
  { id: "settings", label: "Settings", desktop: true },
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

/** The event a `#/monitor/<seq>` address selects: a positive whole number, else null. */
export function seqParam(param: string | null): number | null {
  if (param === null || !/^[0-9]+$/.test(param)) return null;
  const seq = Number(param);
  return Number.isSafeInteger(seq) && seq > 0 ? seq : null;
}

/** `#/sop/pause`: the SOP screen asks to pause enforcement (the tray's "Pause enforcement…"). */
export const PAUSE_PARAM = "pause";
