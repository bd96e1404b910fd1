import type { Backend } from "../backend";

/**
 * A backend for component tests: every method rejects unless overridden
 * (server rendering runs no effects, so most are never called). Like the
 * HTTP backend it has no `desktop` unless one is passed.
 */
export function fakeBackend(over: Partial<Backend> = {}): Backend {
  const fail = () => Promise.reject({ code: "test", message: "not faked" });
  const base = new Proxy({} as Backend, {
    get: (_t, k) => (k === "desktop" ? undefined : k === "live" ? () => () => {} : k === "onUnauthorized" ? () => () => {} : fail),
  });
  return Object.assign(Object.create(base) as Backend, over);
}
