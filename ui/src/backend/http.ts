import type { ErrorDto } from "../bindings/ErrorDto";
import type { LiveMessage } from "../bindings/LiveMessage";
import type { AuditQuery, Backend } from "./index";
import { startLive, type Connect } from "./resume";
import { browserToken } from "./token";

/** What the HTTP backend needs from its surroundings (tests pass fakes). */
export interface HttpEnv {
  /** Origin of the service, e.g. `http://127.0.0.1:7878` (no trailing slash). */
  origin: string;
  token: string | null;
  fetch: typeof fetch;
  /** Builds a WebSocket; absent where there is none. */
  webSocket?: (url: string) => WebSocket;
}

/** Normalizes an error body (or anything a failed fetch throws) into an ErrorDto. */
export function errorFrom(status: number, body: string): ErrorDto {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === "object" && "code" in parsed && "message" in parsed) {
      return { code: String(parsed.code), message: String(parsed.message) };
    }
  } catch {
    // Not JSON (a proxy's page, an empty body): fall through.
  }
  const text = body.trim().slice(0, 300);
  return { code: `http_${status}`, message: text.length > 0 ? text : `The service answered HTTP ${status}.` };
}

/** `?a=1&b=x` from the defined, non-empty values ("" when none). */
export function queryString(params: { [k: string]: string | number | null | undefined }): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s.length > 0 ? `?${s}` : "";
}

/** The event stream's address: same host, ws or wss to match the page. */
export function eventsUrl(origin: string, since: number | null, token: string | null): string {
  const ws = origin.replace(/^http/, "ws");
  return `${ws}/api/events${queryString({ since, token })}`;
}

function defaultEnv(): HttpEnv {
  const hasWindow = typeof window !== "undefined";
  return {
    origin: hasWindow ? window.location.origin : "http://127.0.0.1:7878",
    token: browserToken(),
    fetch: (...args) => fetch(...args),
    webSocket: typeof WebSocket === "undefined" ? undefined : (url) => new WebSocket(url),
  };
}

/** The backend over `uas serve`'s HTTP/WS API (docs/api.md). */
export function httpBackend(env: HttpEnv = defaultEnv()): Backend {
  const unauthorized = new Set<() => void>();
  const tellUnauthorized = () => unauthorized.forEach((l) => l());

  async function send(method: string, path: string, body?: unknown, okStatuses: number[] = []): Promise<Response> {
    const headers: { [k: string]: string } = {};
    if (env.token !== null) headers.Authorization = `Bearer ${env.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await env.fetch(`${env.origin}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw { code: "unreachable", message: `Cannot reach Universal Agent at ${env.origin} (${why}). Is \`uas serve\` running?` } satisfies ErrorDto;
    }
    if (!res.ok && !okStatuses.includes(res.status)) {
      if (res.status === 401) tellUnauthorized();
      throw errorFrom(res.status, await res.text().catch(() => ""));
    }
    return res;
  }

  async function json<T>(method: string, path: string, body?: unknown, okStatuses?: number[]): Promise<T> {
    const res = await send(method, path, body, okStatuses);
    try {
      return (await res.json()) as T;
    } catch {
      throw { code: "bad_response", message: `The answer to ${method} ${path} is not JSON.` } satisfies ErrorDto;
    }
  }

  const get = <T>(path: string) => json<T>("GET", path);
  const post = <T>(path: string, body?: unknown) => json<T>("POST", path, body ?? {});
  const text = async (path: string) => (await send("GET", path)).text();

  const connect: Connect = (since, h) => {
    if (!env.webSocket) {
      h.onClose("this browser has no WebSocket");
      return { close() {} };
    }
    let ws: WebSocket;
    try {
      ws = env.webSocket(eventsUrl(env.origin, since, env.token));
    } catch (e) {
      h.onClose(e instanceof Error ? e.message : String(e));
      return { close() {} };
    }
    let closedByUs = false;
    ws.onopen = () => h.onOpen();
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== "string") return;
      try {
        h.onMessage(JSON.parse(ev.data) as LiveMessage);
      } catch {
        // A malformed frame is skipped; the next record still resumes correctly.
      }
    };
    ws.onclose = (ev: CloseEvent) => {
      if (!closedByUs) h.onClose(ev.reason || `connection closed (${ev.code})`);
    };
    return {
      close() {
        closedByUs = true;
        ws.close();
      },
    };
  };

  return {
    health: () => json("GET", "/health", undefined, [503]),
    metrics: () => text("/metrics"),
    doctor: () => get("/api/doctor"),
    init: () => post("/api/init"),
    status: () => get("/api/status"),

    plan: (agents) => post("/api/setup/plan", { agents }),
    apply: (agents) => post("/api/setup/apply", { agents }),
    repair: (agents) => post("/api/setup/repair", { agents }),
    uninstall: (agents) => post("/api/setup/uninstall", { agents }),
    generations: () => get("/api/setup/generations"),
    rollback: (generation) => post("/api/setup/rollback", { generation }),

    market: (query) => get(`/api/skills${queryString({ q: query })}`),
    installedSkills: () => get("/api/skills/installed"),
    skill: (name) => get(`/api/skills/${encodeURIComponent(name)}`),
    skillInstall: (request) => post("/api/skills/install", { request }),
    skillUpdate: (name) => post("/api/skills/update", { name }),
    skillRollback: (name) => post("/api/skills/rollback", { name }),
    skillRemove: (name) => post("/api/skills/remove", { name }),

    sop: () => get("/api/sop"),
    sopSessions: () => get("/api/sop/sessions"),
    setMode: (mode) => post("/api/sop/mode", { mode }),

    coordSessions: () => get("/api/coord/sessions"),
    leases: () => get("/api/coord/leases"),
    locks: () => get("/api/coord/locks"),

    audit: (q: AuditQuery) => get(`/api/audit${queryString({ ...q })}`),
    verify: () => post("/api/audit/verify"),
    auditExport: (format, since) => text(`/api/audit/export${queryString({ format, since })}`),

    approvals: () => get("/api/approvals"),
    answer: (id, answer) => post(`/api/approvals/${encodeURIComponent(id)}`, { answer }),

    live: (since, onMessage, onStatus) => startLive(connect, since, onMessage, onStatus),

    onUnauthorized(listener) {
      unauthorized.add(listener);
      // Without a token every call would fail: say so at once.
      if (env.token === null) listener();
      return () => unauthorized.delete(listener);
    },
  };
}
