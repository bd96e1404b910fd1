import { describe, expect, it } from "vitest";
import { hashWithoutToken, takeToken, TOKEN_KEY, tokenFromHash } from "./token";

function env(hash: string, stored: string | null = null) {
  const store = new Map<string, string>();
  if (stored !== null) store.set(TOKEN_KEY, stored);
  const urls: string[] = [];
  return {
    store,
    urls,
    env: {
      location: { hash, pathname: "/", search: "" },
      storage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) },
      replaceUrl: (u: string) => void urls.push(u),
    },
  };
}

describe("token", () => {
  it("reads #token=… and #/route&token=…", () => {
    expect(tokenFromHash("#token=abc")).toBe("abc");
    expect(tokenFromHash("#/setup&token=a%2Bb")).toBe("a+b");
    expect(tokenFromHash("#/setup")).toBeNull();
    expect(tokenFromHash("#token=")).toBeNull();
    expect(hashWithoutToken("#/setup&token=x")).toBe("#/setup");
    expect(hashWithoutToken("#token=x")).toBe("");
  });

  it("stores the token from the address and removes it from the address bar", () => {
    const e = env("#token=t1", "old");
    expect(takeToken(e.env)).toBe("t1");
    expect(e.store.get(TOKEN_KEY)).toBe("t1");
    expect(e.urls).toEqual(["/"]);
  });

  it("falls back to the stored token and leaves the address alone", () => {
    const e = env("#/monitor", "t0");
    expect(takeToken(e.env)).toBe("t0");
    expect(e.urls).toEqual([]);
    expect(takeToken(env("").env)).toBeNull();
  });
});
