import type { AgentSelection } from "../bindings/AgentSelection";
import type { Answer } from "../bindings/Answer";
import type { ApprovalItem } from "../bindings/ApprovalItem";
import type { ApprovalsView } from "../bindings/ApprovalsView";
import type { AuditPage } from "../bindings/AuditPage";
import type { DesktopSettings } from "../bindings/DesktopSettings";
import type { DoctorReport } from "../bindings/DoctorReport";
import type { GenerationDto } from "../bindings/GenerationDto";
import type { HealthReport } from "../bindings/HealthReport";
import type { InitReport } from "../bindings/InitReport";
import type { InstalledSkillDto } from "../bindings/InstalledSkillDto";
import type { Lease } from "../bindings/Lease";
import type { LiveMessage } from "../bindings/LiveMessage";
import type { LockGrant } from "../bindings/LockGrant";
import type { MarketSkill } from "../bindings/MarketSkill";
import type { Mode } from "../bindings/Mode";
import type { ModeReport } from "../bindings/ModeReport";
import type { RollbackReport } from "../bindings/RollbackReport";
import type { SessionInfo } from "../bindings/SessionInfo";
import type { SessionPhase } from "../bindings/SessionPhase";
import type { SetupReport } from "../bindings/SetupReport";
import type { SkillPage } from "../bindings/SkillPage";
import type { SkillsReport } from "../bindings/SkillsReport";
import type { SopView } from "../bindings/SopView";
import type { StatusReport } from "../bindings/StatusReport";
import type { VerifyReport } from "../bindings/VerifyReport";
import { httpBackend } from "./http";
import type { LiveStatus } from "./resume";
import { tauriBackend } from "./tauri";

export type { LiveStatus } from "./resume";

/** `GET /api/audit` query; every field optional (`severity` is a minimum). */
export interface AuditQuery {
  agent?: string;
  session?: string;
  kind?: string;
  severity?: string;
  /** Only records with a smaller seq (paging backwards). */
  before?: number;
  limit?: number;
}

export type ApprovalAnswer = Answer;

/**
 * What only the desktop app can do (its own settings): present in the
 * Tauri backend, absent over HTTP. Rejects with an `ErrorDto` like the rest.
 */
export interface DesktopBackend {
  settings(): Promise<DesktopSettings>;
  /** Starts the app hidden in the tray at login (or stops doing so); answers the new state. */
  setStartAtLogin(on: boolean): Promise<DesktopSettings>;
  /** No notification pop-ups while on (the tray still counts); answers the new state. */
  setDoNotDisturb(on: boolean): Promise<DesktopSettings>;
}
export type ExportFormat = "jsonl" | "csv";

/**
 * Everything the ui asks of Universal Agent, one method per route of
 * docs/api.md. The desktop app implements it over Tauri IPC, the local web
 * service over HTTP/WS. Every promise rejects with an `ErrorDto`
 * ({code, message}), never with an Error.
 */
export interface Backend {
  // Health and home.
  health(): Promise<HealthReport>;
  metrics(): Promise<string>;
  doctor(): Promise<DoctorReport>;
  init(): Promise<InitReport>;
  status(): Promise<StatusReport>;

  // Agent setup.
  plan(agents: AgentSelection): Promise<SetupReport>;
  apply(agents: AgentSelection): Promise<SetupReport>;
  repair(agents: AgentSelection): Promise<SetupReport>;
  uninstall(agents: AgentSelection): Promise<SetupReport>;
  generations(): Promise<GenerationDto[]>;
  /** Undoes every apply newer than `generation`; null: the newest apply only. */
  rollback(generation: number | null): Promise<RollbackReport>;

  // Skills.
  market(query: string): Promise<MarketSkill[]>;
  installedSkills(): Promise<InstalledSkillDto[]>;
  skill(name: string): Promise<SkillPage>;
  /** `request` is `name` or `name@<semver requirement>`. */
  skillInstall(request: string): Promise<SkillsReport>;
  /** null: update every skill. */
  skillUpdate(name: string | null): Promise<SkillsReport>;
  skillRollback(name: string): Promise<SkillsReport>;
  skillRemove(name: string): Promise<SkillsReport>;

  // SOP.
  sop(): Promise<SopView>;
  sopSessions(): Promise<SessionPhase[]>;
  setMode(mode: Mode): Promise<ModeReport>;

  // Coordination.
  coordSessions(): Promise<SessionInfo[]>;
  leases(): Promise<Lease[]>;
  locks(): Promise<LockGrant[]>;

  // Audit.
  audit(query: AuditQuery): Promise<AuditPage>;
  verify(): Promise<VerifyReport>;
  /** The records after `since`, as the export text (JSON lines or CSV). */
  auditExport(format: ExportFormat, since: number | null): Promise<string>;

  // Approvals.
  approvals(): Promise<ApprovalsView>;
  answer(id: string, answer: ApprovalAnswer): Promise<ApprovalItem>;

  /**
   * Opens the live event stream from after `since` (null: from the head).
   * On a disconnect it reconnects with backoff, resuming after the last
   * record it delivered, so no record is missed or delivered twice.
   * Returns a function that closes the stream for good.
   */
  live(since: number | null, onMessage: (m: LiveMessage) => void, onStatus: (s: LiveStatus) => void): () => void;

  /**
   * Tells `listener` whenever the backend finds it lacks a valid access
   * token (HTTP only: at once when there is none, and on any 401). The
   * desktop app never calls it. Returns the unsubscribe function.
   */
  onUnauthorized(listener: () => void): () => void;

  /** The desktop app's own settings; undefined outside the desktop app. */
  desktop?: DesktopBackend;
}

/** The backend for where the ui is running: Tauri IPC inside the desktop app, else HTTP. */
export function defaultBackend(): Backend {
  if (typeof window !== "undefined" && "__TAURI_INTERNALS__" in window) {
    return tauriBackend();
  }
  return httpBackend();
}
