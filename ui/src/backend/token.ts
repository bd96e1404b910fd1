/**
 * The access token of `uas serve`. It arrives in the address fragment
 * (`#token=…`, never sent to the server), is kept in sessionStorage (gone
 * with the tab) and removed from the address bar so it is not bookmarked,
 * shared in a screenshot or left in history.
 */

export const TOKEN_KEY = "uas.token";

export interface TokenEnv {
  location: { hash: string; pathname: string; search: string };
  storage: { getItem(k: string): string | null; setItem(k: string, v: string): void };
  /** history.replaceState, to drop the fragment without a reload. */
  replaceUrl(url: string): void;
}

/** The token named by a fragment such as `#token=abc` or `#/setup&token=abc`, if any. */
export function tokenFromHash(hash: string): string | null {
  const body = hash.replace(/^#/, "");
  for (const part of body.split(/[&?]/)) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq) === "token") {
      const value = decodeURIComponent(part.slice(eq + 1));
      return value.length > 0 ? value : null;
    }
  }
  return null;
}

/** The fragment without its token part (a route such as `#/setup` survives). */
export function hashWithoutToken(hash: string): string {
  const body = hash.replace(/^#/, "");
  const route = body.split(/[&?]/).filter((p) => !p.startsWith("token="));
  const rest = route.join("&");
  return rest.length > 0 ? `#${rest}` : "";
}

/** Takes the token from the address (storing it) or else from storage. */
export function takeToken(env: TokenEnv): string | null {
  const fromHash = tokenFromHash(env.location.hash);
  if (fromHash !== null) {
    env.storage.setItem(TOKEN_KEY, fromHash);
    env.replaceUrl(env.location.pathname + env.location.search + hashWithoutToken(env.location.hash));
    return fromHash;
  }
  return env.storage.getItem(TOKEN_KEY);
}

/** takeToken against the real window; null outside a browser. */
export function browserToken(): string | null {
  if (typeof window === "undefined") return null;
  try {
    return takeToken({
      location: window.location,
      storage: window.sessionStorage,
      replaceUrl: (url) => window.history.replaceState(window.history.state, "", url),
    });
  } catch {
    // sessionStorage can throw (privacy settings): use the fragment only.
    return tokenFromHash(window.location.hash);
  }
}
