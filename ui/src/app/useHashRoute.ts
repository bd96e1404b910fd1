import { useSyncExternalStore } from "react";
import { parseRoute, type Route } from "./route";

const subscribe = (l: () => void) => {
  window.addEventListener("hashchange", l);
  return () => window.removeEventListener("hashchange", l);
};
const hash = () => window.location.hash;

/** The route named by the address fragment, following its changes. */
export function useHashRoute(): Route {
  const h = useSyncExternalStore(subscribe, hash, () => "");
  return parseRoute(h);
}
