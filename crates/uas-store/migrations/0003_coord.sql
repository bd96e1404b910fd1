-- Coordination between concurrent agents (uas-coord's SQLite backend).

-- Every agent session the hooks have seen. The hook is the heartbeat: each
-- event moves last_seen_ms and expires_ms; a session past expires_ms (or
-- with ended_ms) is over, and its leases with it. Rows stay as history.
CREATE TABLE coord_sessions (
    agent TEXT NOT NULL,
    session TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER,
    cwd TEXT,
    repo TEXT,
    phase TEXT,
    started_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    ended_ms INTEGER,
    PRIMARY KEY (agent, session)
);

-- A session's claim on a file (or folder) it edits: repo is the
-- repository identity every clone shares ('' outside a repository, where
-- path is absolute).
CREATE TABLE coord_leases (
    repo TEXT NOT NULL,
    path TEXT NOT NULL,
    agent TEXT NOT NULL,
    session TEXT NOT NULL,
    host TEXT NOT NULL,
    since_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    PRIMARY KEY (repo, path)
);
CREATE INDEX coord_leases_by_session ON coord_leases (agent, session);

-- Named locks; token is the grant's fencing token (public), secret what
-- its holder proves itself with to release or extend it.
CREATE TABLE coord_locks (
    resource TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    token INTEGER NOT NULL,
    secret TEXT NOT NULL,
    acquired_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
);

-- The last fencing token handed out per resource: it only grows, also
-- across releases and expiries.
CREATE TABLE coord_fences (
    resource TEXT PRIMARY KEY,
    token INTEGER NOT NULL
);

-- Session, lease and lock changes, for subscribers (the monitor, the
-- desktop) that resume from a sequence number.
CREATE TABLE coord_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    ts_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    agent TEXT NOT NULL DEFAULT '',
    session TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
