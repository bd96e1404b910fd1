//! The routes (see `docs/api.md`): each handler is one facade call on the
//! blocking pool.

use crate::Shared;
use crate::reply::{Failure, Reply, json};
use crate::{BODY_LIMIT, LiveMessage, blocking};
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State, WebSocketUpgrade};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use uas_api::{
    AgentSelection, Answer, ApiError, App, ApprovalItem, ApprovalMethod, ApprovalsView, AuditPage,
    AuditQuery, DoctorReport, GenerationDto, HealthReport, HealthStatus, InitReport,
    InstalledSkillDto, Lease, LockGrant, MarketSkill, Mode, ModeReport, RollbackReport,
    SessionInfo, SessionPhase, SetupOptions, SetupReport, SkillOptions, SkillPage, SkillsReport,
    SopView, StatusReport,
};

type S = State<Arc<Shared>>;

/// Every route, behind the guard.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/api/doctor", get(doctor))
        .route("/api/init", post(init))
        .route("/api/status", get(status))
        .route("/api/setup/plan", post(plan))
        .route("/api/setup/apply", post(apply))
        .route("/api/setup/repair", post(repair))
        .route("/api/setup/uninstall", post(uninstall))
        .route("/api/setup/generations", get(generations))
        .route("/api/setup/rollback", post(rollback))
        .route("/api/skills", get(market))
        .route("/api/skills/installed", get(installed))
        .route("/api/skills/install", post(skill_install))
        .route("/api/skills/update", post(skill_update))
        .route("/api/skills/rollback", post(skill_rollback))
        .route("/api/skills/remove", post(skill_remove))
        .route("/api/skills/{name}", get(skill_page))
        .route("/api/sop", get(sop))
        .route("/api/sop/sessions", get(sop_sessions))
        .route("/api/sop/mode", post(sop_mode))
        .route("/api/coord/sessions", get(coord_sessions))
        .route("/api/coord/leases", get(leases))
        .route("/api/coord/locks", get(locks))
        .route("/api/audit", get(audit))
        .route("/api/audit/verify", post(verify))
        .route("/api/audit/export", get(export))
        .route("/api/approvals", get(approvals))
        .route("/api/approvals/{id}", post(answer))
        .route("/api/events", get(events))
        .route("/api/{*rest}", axum::routing::any(unknown))
        .fallback(crate::assets::file)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&shared),
            crate::guard::check,
        ));
    api.with_state(shared)
}

/// A JSON body, or the reason it is not one, as `{code, message}`.
fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, Failure> {
    b.map(|Json(v)| v).map_err(|e| {
        let status = e.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            Failure::new(
                status,
                "body_too_large",
                format!("the request body is over {BODY_LIMIT} bytes"),
            )
        } else {
            Failure::new(StatusCode::BAD_REQUEST, "bad_json", e.body_text())
        }
    })
}

/// How a person answered through this service (recorded in the audit log).
fn web_person() -> ApprovalMethod {
    ApprovalMethod {
        method: "web".into(),
        user: std::env::var("USER").unwrap_or_else(|_| "unknown".into()),
        tty: None,
    }
}

async fn call<T: serde::Serialize + Send + 'static>(
    s: &Shared,
    f: impl FnOnce(&App) -> Result<T, ApiError> + Send + 'static,
) -> Reply<T> {
    json(blocking(&s.app, f).await)
}

async fn unknown() -> Failure {
    Failure::new(
        StatusCode::NOT_FOUND,
        "unknown_route",
        "no such API route (see docs/api.md)",
    )
}

async fn health(State(s): S) -> Response {
    let report: Result<HealthReport, _> = blocking(&s.app, |a| Ok(a.health())).await;
    match report {
        Ok(r) => {
            let code = if r.status == HealthStatus::Down {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::OK
            };
            (code, Json(r)).into_response()
        }
        Err(e) => Failure::from(e).into_response(),
    }
}

async fn metrics(State(s): S) -> Response {
    let gauges = blocking(&s.app, |a| {
        Ok((
            a.coord_sessions(false).map_or(0, |v| v.len() as u64),
            a.leases(None).map_or(0, |v| v.len() as u64),
            a.locks().map_or(0, |v| v.len() as u64),
            a.approvals().map_or(0, |v| v.pending.len() as u64),
        ))
    })
    .await
    .unwrap_or_default();
    let text = s.metrics.render(&[
        ("uas_active_sessions", "Live agent sessions.", gauges.0),
        ("uas_leases", "File leases held.", gauges.1),
        ("uas_locks", "Task locks held.", gauges.2),
        (
            "uas_approvals_pending",
            "Approval requests waiting for a person.",
            gauges.3,
        ),
    ]);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

async fn doctor(State(s): S) -> Reply<DoctorReport> {
    call(&s, |a| Ok(a.doctor())).await
}

async fn init(State(s): S) -> Reply<InitReport> {
    call(&s, App::init).await
}

async fn status(State(s): S) -> Reply<StatusReport> {
    call(&s, App::status).await
}

#[derive(Deserialize)]
struct AgentsBody {
    agents: AgentSelection,
}

fn setup_options(b: AgentsBody, dry_run: bool) -> SetupOptions {
    SetupOptions {
        agents: b.agents,
        dry_run,
        project: None,
        partial: false,
        failpoints: Default::default(),
    }
}

async fn plan(State(s): S, b: Result<Json<AgentsBody>, JsonRejection>) -> Reply<SetupReport> {
    let o = setup_options(body(b)?, true);
    call(&s, move |a| a.setup(&o)).await
}

async fn apply(State(s): S, b: Result<Json<AgentsBody>, JsonRejection>) -> Reply<SetupReport> {
    let o = setup_options(body(b)?, false);
    call(&s, move |a| a.setup(&o)).await
}

async fn repair(State(s): S, b: Result<Json<AgentsBody>, JsonRejection>) -> Reply<SetupReport> {
    let o = setup_options(body(b)?, false);
    call(&s, move |a| a.repair(&o)).await
}

async fn uninstall(State(s): S, b: Result<Json<AgentsBody>, JsonRejection>) -> Reply<SetupReport> {
    let o = setup_options(body(b)?, false);
    call(&s, move |a| a.uninstall(&o)).await
}

async fn generations(State(s): S) -> Reply<Vec<GenerationDto>> {
    call(&s, |a| Ok(a.setup_generations())).await
}

#[derive(Deserialize)]
struct RollbackBody {
    generation: Option<u64>,
}

async fn rollback(
    State(s): S,
    b: Result<Json<RollbackBody>, JsonRejection>,
) -> Reply<RollbackReport> {
    let to = body(b)?.generation;
    call(&s, move |a| a.rollback_setup(false, to)).await
}

#[derive(Deserialize)]
struct Search {
    #[serde(default)]
    q: String,
}

async fn market(State(s): S, Query(q): Query<Search>) -> Reply<Vec<MarketSkill>> {
    call(&s, move |a| a.market(&q.q)).await
}

async fn installed(State(s): S) -> Reply<Vec<InstalledSkillDto>> {
    call(&s, |a| a.skill_list(false)).await
}

async fn skill_page(State(s): S, Path(name): Path<String>) -> Reply<SkillPage> {
    call(&s, move |a| a.skill_page(&name)).await
}

#[derive(Deserialize)]
struct InstallBody {
    request: String,
    #[serde(default)]
    allow_unsigned: bool,
}

#[derive(Deserialize)]
struct NameBody {
    name: Option<String>,
}

/// A skill change with its progress sent to live clients.
async fn skill_change(
    s: &Shared,
    op: &'static str,
    f: impl FnOnce(&App, &mut dyn FnMut(&uas_api::SkillProgress)) -> Result<SkillsReport, ApiError>
    + Send
    + 'static,
) -> Reply<SkillsReport> {
    let progress = s.progress.clone();
    s.metrics.skill_ops.fetch_add(1, Ordering::Relaxed);
    let send = move |message: String, done: bool| {
        let _ = progress.send(LiveMessage::Progress {
            op: op.into(),
            message,
            done,
        });
    };
    let r = blocking(&s.app, move |a| {
        let mut report = |p: &uas_api::SkillProgress| {
            send(
                format!(
                    "downloading {} {}: {} of {} bytes",
                    p.name, p.version, p.done, p.total
                ),
                false,
            )
        };
        let r = f(a, &mut report);
        send(
            match &r {
                Ok(_) => "done".into(),
                Err(e) => format!("failed: {e}"),
            },
            true,
        );
        r
    })
    .await;
    json(r)
}

async fn skill_install(
    State(s): S,
    b: Result<Json<InstallBody>, JsonRejection>,
) -> Reply<SkillsReport> {
    let b = body(b)?;
    let opts = SkillOptions {
        allow_unsigned: b.allow_unsigned,
        ..SkillOptions::default()
    };
    skill_change(&s, "skill install", move |a, p| {
        a.skill_install(&[b.request], &opts, p)
    })
    .await
}

async fn skill_update(
    State(s): S,
    b: Result<Json<NameBody>, JsonRejection>,
) -> Reply<SkillsReport> {
    let names: Vec<String> = body(b)?.name.into_iter().collect();
    skill_change(&s, "skill update", move |a, p| {
        a.skill_update(&names, &SkillOptions::default(), p)
    })
    .await
}

fn required(name: Option<String>) -> Result<String, Failure> {
    name.filter(|n| !n.is_empty()).ok_or_else(|| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "`name` is required",
        )
    })
}

async fn skill_rollback(
    State(s): S,
    b: Result<Json<NameBody>, JsonRejection>,
) -> Reply<SkillsReport> {
    let name = required(body(b)?.name)?;
    skill_change(&s, "skill rollback", move |a, _| {
        a.skill_rollback(&name, None, &SkillOptions::default())
    })
    .await
}

async fn skill_remove(
    State(s): S,
    b: Result<Json<NameBody>, JsonRejection>,
) -> Reply<SkillsReport> {
    let name = required(body(b)?.name)?;
    skill_change(&s, "skill remove", move |a, _| {
        a.skill_remove(&name, &SkillOptions::default())
    })
    .await
}

async fn sop(State(s): S) -> Reply<SopView> {
    call(&s, App::sop_view).await
}

async fn sop_sessions(State(s): S) -> Reply<Vec<SessionPhase>> {
    call(&s, |a| a.sop_sessions(None)).await
}

#[derive(Deserialize)]
struct ModeBody {
    mode: Mode,
}

async fn sop_mode(State(s): S, b: Result<Json<ModeBody>, JsonRejection>) -> Reply<ModeReport> {
    let mode = body(b)?.mode;
    call(&s, move |a| a.set_sop_mode(mode, None, &web_person())).await
}

async fn coord_sessions(State(s): S) -> Reply<Vec<SessionInfo>> {
    call(&s, |a| a.coord_sessions(false)).await
}

async fn leases(State(s): S) -> Reply<Vec<Lease>> {
    call(&s, |a| a.leases(None)).await
}

async fn locks(State(s): S) -> Reply<Vec<LockGrant>> {
    call(&s, App::locks).await
}

async fn audit(
    State(s): S,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Reply<AuditPage> {
    let Query(q) =
        q.map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "invalid_request", e.body_text()))?;
    call(&s, move |a| a.audit_query(&q)).await
}

async fn verify(State(s): S) -> Reply<uas_audit::VerifyReport> {
    call(&s, App::audit_verify).await
}

#[derive(Deserialize)]
struct ExportQuery {
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    since: u64,
}

async fn export(State(s): S, Query(q): Query<ExportQuery>) -> Response {
    let (format, kind) = match q.format.as_deref() {
        None | Some("jsonl") => (uas_audit::export::Format::Jsonl, "application/x-ndjson"),
        Some("csv") => (uas_audit::export::Format::Csv, "text/csv"),
        Some(other) => {
            return Failure::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("unknown format `{other}`; use jsonl or csv"),
            )
            .into_response();
        }
    };
    let r = blocking(&s.app, move |a| {
        let mut out = Vec::new();
        a.audit_export(format, q.since, &mut out)?;
        Ok(out)
    })
    .await;
    match r {
        Ok(bytes) => ([(header::CONTENT_TYPE, kind)], bytes).into_response(),
        Err(e) => Failure::from(e).into_response(),
    }
}

async fn approvals(State(s): S) -> Reply<ApprovalsView> {
    call(&s, App::approvals).await
}

#[derive(Deserialize)]
struct AnswerBody {
    answer: Answer,
}

async fn answer(
    State(s): S,
    Path(id): Path<String>,
    b: Result<Json<AnswerBody>, JsonRejection>,
) -> Reply<ApprovalItem> {
    let answer = body(b)?.answer;
    call(&s, move |a| a.answer_approval(&id, answer, &web_person())).await
}

#[derive(Deserialize)]
struct EventsQuery {
    since: Option<u64>,
}

async fn events(
    State(s): S,
    q: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
    ws: WebSocketUpgrade,
) -> Response {
    let since = match q {
        Ok(Query(q)) => q.since,
        Err(e) => {
            return Failure::new(StatusCode::BAD_REQUEST, "invalid_request", e.body_text())
                .into_response();
        }
    };
    ws.on_upgrade(move |socket| crate::live::serve(socket, s, since))
}
