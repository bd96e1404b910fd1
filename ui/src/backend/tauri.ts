import { invoke } from "@tauri-apps/api/core";
import type { ErrorDto } from "../bindings/ErrorDto";
import type { Backend } from "./index";

/** Normalizes whatever a failed invoke throws into an ErrorDto. */
export function toErrorDto(e: unknown): ErrorDto {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    return { code: String(e.code), message: String(e.message) };
  }
  return { code: "ipc_error", message: e instanceof Error ? e.message : String(e) };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toErrorDto(e);
  }
}

/** The backend inside the desktop app: Tauri commands in src-tauri/src/commands.rs. */
export function tauriBackend(): Backend {
  return {
    doctor: () => call("doctor"),
    init: () => call("init"),
    status: () => call("status"),
    setupAgents: (dryRun) => call("setup_agents", { dryRun }),
  };
}
