-- The audit log: append-only, hash-chained (see crates/uas-audit).
-- seq is contiguous from 1; hash = SHA-256 over the canonical encoding of
-- (seq, ts_ms, agent, session, kind, severity, payload, decision, prev_hash).
CREATE TABLE audit_events (
    seq       INTEGER PRIMARY KEY,
    ts_ms     INTEGER NOT NULL,
    agent     TEXT    NOT NULL,
    session   TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    severity  TEXT    NOT NULL,
    payload   TEXT    NOT NULL,
    decision  TEXT,
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL
);
CREATE INDEX audit_events_session ON audit_events (session, seq);

-- Append-only: the chain would catch an edit anyway, but an honest mistake
-- should fail loudly instead of breaking the chain.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Per-session SOP state, updated in the same transaction as the event that
-- changed it.
CREATE TABLE sop_sessions (
    agent      TEXT    NOT NULL,
    session    TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (agent, session)
);

-- Webhook sinks: the last sequence number each one delivered.
CREATE TABLE audit_sinks (
    name       TEXT    PRIMARY KEY,
    url        TEXT    NOT NULL,
    last_seq   INTEGER NOT NULL DEFAULT 0,
    updated_ms INTEGER NOT NULL
);
