import { useSyncExternalStore } from "react";
import { parseRoute, type Route } from "./route";

/** Told of address changes replaceHash makes (they fire no hashchange). */
const replaced = new Set<() => void>();
/** The route replaceHash went to, until shown (focus stays where it is) or a real change. */
let quiet: Route | null = null;

const subscribe = (l: () => void) => {
  const onHashChange = () => {
    quiet = null;
    l();
  };
  window.addEventListener("hashchange", onHashChange);
  replaced.add(l);
  return () => {
    window.removeEventListener("hashchange", onHashChange);
    replaced.delete(l);
  };
};
const hash = () => window.location.hash;

/** The route named by the address fragment, following its changes. */
export function useHashRoute(): Route {
  const h = useSyncExternalStore(subscribe, hash, () => "");
  return parseRoute(h);
}

/** Goes to `href` (a `#/…` address from routeHref), as a link would. */
export function goTo(href: string): void {
  window.location.hash = href;
}

/**
 * Rewrites the address to `href` without a history entry, once a screen
 * has done what the address asked (`#/monitor/<seq>` → `#/monitor`), so
 * that being sent to the same address again is a change that shows.
 */
export function replaceHash(href: string): void {
  if (window.location.hash === href) return;
  window.history.replaceState(window.history.state, "", href);
  quiet = parseRoute(href);
  replaced.forEach((l) => l());
}

/** Whether `route` is showing because of replaceHash (asking clears it once it is). */
export function takeQuietChange(route: Route): boolean {
  if (quiet === null || quiet.screen !== route.screen || quiet.param !== route.param) return false;
  quiet = null;
  return true;
}
