import { describe, expect, it } from "vitest";
import { errorFrom, eventsUrl, httpBackend, queryString } from "./http";

type Call = { url: string; init: RequestInit };

function fakeFetch(status: number, body: string) {
  const calls: Call[] = [];
  const f = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body, { status, headers: { "Content-Type": "application/json" } });
  }) as unknown as typeof fetch;
  return { calls, f };
}

describe("http helpers", () => {
  it("builds query strings from set values only", () => {
    expect(queryString({ agent: "claude", session: undefined, kind: "", before: 10, limit: null })).toBe("?agent=claude&before=10");
    expect(queryString({})).toBe("");
  });

  it("builds the events address with since and token", () => {
    expect(eventsUrl("http://127.0.0.1:7878", 42, "t k")).toBe("ws://127.0.0.1:7878/api/events?since=42&token=t+k");
    expect(eventsUrl("https://h", null, "t")).toBe("wss://h/api/events?token=t");
  });

  it("reads an ErrorDto body, or describes a non-JSON one", () => {
    expect(errorFrom(409, '{"code":"busy","message":"another apply runs"}')).toEqual({ code: "busy", message: "another apply runs" });
    expect(errorFrom(502, "")).toEqual({ code: "http_502", message: "The service answered HTTP 502." });
  });
});

describe("httpBackend", () => {
  it("sends the bearer token and JSON body", async () => {
    const { calls, f } = fakeFetch(200, '{"command":"setup"}');
    const b = httpBackend({ origin: "http://x", token: "tok", fetch: f });
    await b.plan({ only: ["claude"] });
    expect(calls[0].url).toBe("http://x/api/setup/plan");
    expect(calls[0].init.method).toBe("POST");
    expect((calls[0].init.headers as { [k: string]: string }).Authorization).toBe("Bearer tok");
    expect(calls[0].init.body).toBe('{"agents":{"only":["claude"]}}');
  });

  it("encodes path parameters and audit queries", async () => {
    const { calls, f } = fakeFetch(200, "{}");
    const b = httpBackend({ origin: "", token: "t", fetch: f });
    await b.answer("plan:claude:s1", "approve");
    await b.audit({ agent: "codex", before: 100, limit: 50 });
    expect(calls[0].url).toBe("/api/approvals/plan%3Aclaude%3As1");
    expect(calls[1].url).toBe("/api/audit?agent=codex&before=100&limit=50");
  });

  it("rejects with the ErrorDto and reports a 401", async () => {
    const { f } = fakeFetch(401, '{"code":"token","message":"missing or wrong token"}');
    const b = httpBackend({ origin: "", token: "bad", fetch: f });
    let told = 0;
    b.onUnauthorized(() => told++);
    await expect(b.status()).rejects.toEqual({ code: "token", message: "missing or wrong token" });
    expect(told).toBe(1);
  });

  it("says at once when there is no token", () => {
    const b = httpBackend({ origin: "", token: null, fetch: fakeFetch(200, "{}").f });
    let told = 0;
    b.onUnauthorized(() => told++);
    expect(told).toBe(1);
  });

  it("takes a 503 health report as an answer", async () => {
    const { f } = fakeFetch(503, '{"status":"down","checks":[]}');
    const b = httpBackend({ origin: "", token: null, fetch: f });
    await expect(b.health()).resolves.toEqual({ status: "down", checks: [] });
  });

  it("turns a network failure into an ErrorDto", async () => {
    const f = (async () => {
      throw new TypeError("Failed to fetch");
    }) as unknown as typeof fetch;
    const b = httpBackend({ origin: "http://x", token: "t", fetch: f });
    await expect(b.doctor()).rejects.toMatchObject({ code: "unreachable" });
  });
});
