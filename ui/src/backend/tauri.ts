import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { ErrorDto } from "../bindings/ErrorDto";
import type { LiveMessage } from "../bindings/LiveMessage";
import type { Backend } from "./index";
import { startLive, type Connect } from "./resume";

/** Normalizes whatever a failed invoke throws into an ErrorDto. */
export function toErrorDto(e: unknown): ErrorDto {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    return { code: String(e.code), message: String(e.message) };
  }
  return { code: "ipc_error", message: e instanceof Error ? e.message : String(e) };
}

async function call<T>(cmd: string, args?: { [k: string]: unknown }): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toErrorDto(e);
  }
}

/** The Tauri event carrying LiveMessages to the window. */
export const LIVE_EVENT = "uas://live";

/**
 * One "connection" inside the desktop app: listen to the live event, then
 * ask the app (`live_since`) to stream to this window from `since`.
 */
const connectTauri: Connect = (since, h) => {
  let closed = false;
  let unlisten: (() => void) | null = null;
  listen<LiveMessage>(LIVE_EVENT, (e) => h.onMessage(e.payload))
    .then((u) => {
      if (closed) {
        u();
        return;
      }
      unlisten = u;
      return call<void>("live_since", { since }).then(() => {
        if (!closed) h.onOpen();
      });
    })
    .catch((e: unknown) => {
      unlisten?.();
      unlisten = null;
      if (!closed) h.onClose(toErrorDto(e).message);
    });
  return {
    close() {
      closed = true;
      unlisten?.();
    },
  };
};

/**
 * The backend inside the desktop app: Tauri commands in
 * src-tauri/src/commands.rs, named like the methods in snake_case. Tauri
 * maps the camelCase argument keys used here onto snake_case parameters.
 */
export function tauriBackend(): Backend {
  return {
    health: () => call("health"),
    metrics: () => call("metrics"),
    doctor: () => call("doctor"),
    init: () => call("init"),
    status: () => call("status"),

    plan: (agents) => call("plan", { agents }),
    apply: (agents) => call("apply", { agents }),
    repair: (agents) => call("repair", { agents }),
    uninstall: (agents) => call("uninstall", { agents }),
    generations: () => call("generations"),
    rollback: (generation) => call("rollback", { generation }),

    market: (query) => call("market", { query }),
    installedSkills: () => call("installed_skills"),
    skill: (name) => call("skill", { name }),
    skillInstall: (request) => call("skill_install", { request }),
    skillUpdate: (name) => call("skill_update", { name }),
    skillRollback: (name) => call("skill_rollback", { name }),
    skillRemove: (name) => call("skill_remove", { name }),

    sop: () => call("sop"),
    sopSessions: () => call("sop_sessions"),
    setMode: (mode) => call("set_mode", { mode }),

    coordSessions: () => call("coord_sessions"),
    leases: () => call("leases"),
    locks: () => call("locks"),

    audit: (query) => call("audit", { query }),
    verify: () => call("audit_verify"),
    auditExport: (format, since) => call("audit_export", { format, since }),

    approvals: () => call("approvals"),
    answer: (id, answer) => call("answer_approval", { id, answer }),

    live: (since, onMessage, onStatus) => startLive(connectTauri, since, onMessage, onStatus),

    // The desktop app needs no token.
    onUnauthorized: () => () => {},

    desktop: {
      settings: () => call("desktop_settings"),
      setStartAtLogin: (on) => call("set_start_at_login", { on }),
      setDoNotDisturb: (on) => call("set_do_not_disturb", { on }),
    },
  };
}
