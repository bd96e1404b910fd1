import type { DoctorReport } from "../bindings/DoctorReport";
import type { InitReport } from "../bindings/InitReport";
import type { SetupReport } from "../bindings/SetupReport";
import type { StatusReport } from "../bindings/StatusReport";
import { tauriBackend } from "./tauri";

/**
 * Everything the ui asks of Universal Agent. One interface; the desktop app
 * implements it over Tauri IPC, the local web service (later) over HTTP/WS.
 * Every method rejects with an `ErrorDto` ({code, message}).
 */
export interface Backend {
  doctor(): Promise<DoctorReport>;
  init(): Promise<InitReport>;
  status(): Promise<StatusReport>;
  setupAgents(dryRun: boolean): Promise<SetupReport>;
}

/** The backend for where the ui is running. */
export function defaultBackend(): Backend {
  return tauriBackend();
}
