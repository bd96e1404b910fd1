-- Reading the log by kind: the approvals inbox and a waiting hook look for
-- approval_* events, the monitor filters by kind. Without it each such
-- read scans the log (about 1 s on a million events).
CREATE INDEX audit_events_kind ON audit_events (kind, seq);
