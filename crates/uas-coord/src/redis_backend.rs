//! The Redis backend: one server that every machine of a team reaches.
//! Single node on purpose (no Redlock): a lock is `SET key value NX PX ttl`,
//! its token an `INCR` of a per-resource counter that only grows, and
//! release and extend compare the token first, each step one Lua script so
//! a check and its write are atomic. Keys expire on the server's clock
//! (`PX`), so a killed agent's session and leases vanish within their TTL
//! without anyone cleaning up.
//!
//! Keys (all under `uas:`): `s:<agent>:<session>` a session hash,
//! `sessions` a sorted set of them by expiry, `sl:<agent>:<session>` a
//! session's lease keys, `l:<repo>\n<path>` a lease, `rl:<repo>` the leased
//! paths of a repository (for an edit of a whole folder), `k:<resource>` a lock,
//! `f:<resource>` its token counter, `events` the change stream (entry id
//! `<seq>-1`, so a subscriber resumes after a sequence number with XRANGE or
//! blocks for new ones with XREAD) and `seq` its counter; each change is
//! also published on the channel `uas:events` (its sequence number), the
//! wake-up for subscribers.

use crate::{
    Beat, Claim, CoordError, CoordEvent, Coordinator, Lease, LeaseKey, LockGrant, SessionInfo,
    Ttls, ms,
};
use redis::Script;
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

/// Shared by the scripts: append a change to the stream.
const EV: &str = r"
local function ev(kind, agent, session, detail, now)
  local seq = redis.call('INCR', 'uas:seq')
  redis.call('XADD', 'uas:events', 'MAXLEN', '~', 10000, seq .. '-1',
    'ts', now, 'kind', kind, 'agent', agent, 'session', session, 'detail', detail)
  redis.call('PUBLISH', 'uas:events', seq)
end
";

/// KEYS: session, sessions, session's leases, lease keys…
/// ARGV: agent, session, host, pid, cwd, repo, phase, now, session ttl,
/// lease ttl, lease names…
const ON_EVENT: &str = r"
local now, sttl, lttl = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local new = redis.call('EXISTS', KEYS[1]) == 0
if new then redis.call('HSET', KEYS[1], 'started_ms', now) end
redis.call('HSET', KEYS[1], 'agent', ARGV[1], 'session', ARGV[2], 'host', ARGV[3],
  'last_seen_ms', now, 'expires_ms', now + sttl)
local opt = {'pid', 'cwd', 'repo', 'phase'}
for i = 1, 4 do
  if ARGV[3 + i] ~= '' then redis.call('HSET', KEYS[1], opt[i], ARGV[3 + i]) end
end
redis.call('PEXPIRE', KEYS[1], sttl)
redis.call('ZADD', KEYS[2], now + sttl, ARGV[1] .. '\n' .. ARGV[2])
if new then
  ev('session_started', ARGV[1], ARGV[2],
    cjson.encode({host = ARGV[3], cwd = ARGV[5], repo = ARGV[6]}), now)
end
local conflicts = {}
local function check(i, key)
  local v = redis.call('GET', key)
  if v then
    local a, s = string.match(v, '^([^\n]*)\n([^\n]*)\n')
    if not (a == ARGV[1] and s == ARGV[2])
      and redis.call('EXISTS', 'uas:s:' .. a .. ':' .. s) == 1 then
      table.insert(conflicts, (i - 3) .. '\n' .. v .. '\n' .. key)
    end
  end
  return v
end
for i = 4, #KEYS do
  local repo, path = string.match(KEYS[i], '^uas:l:([^\n]*)\n(.*)$')
  if string.sub(path, -1) == '/' then
    -- A folder: its own lease (lease_scope = directory) and every lease
    -- inside it (the repository's set of leased paths).
    check(i, 'uas:l:' .. repo .. '\n' .. string.sub(path, 1, -2))
    for _, p in ipairs(redis.call('SMEMBERS', 'uas:rl:' .. repo)) do
      if path == './' or string.sub(p, 1, #path) == path then
        if not check(i, 'uas:l:' .. repo .. '\n' .. p) then
          redis.call('SREM', 'uas:rl:' .. repo, p)
        end
      end
    end
  else
    check(i, KEYS[i])
  end
end
if #conflicts == 0 then
  for i = 4, #KEYS do
    local repo, path = string.match(KEYS[i], '^uas:l:([^\n]*)\n(.*)$')
    if string.sub(path, -1) ~= '/' then
    local v = redis.call('GET', KEYS[i])
    local since, mine = now, false
    if v then
      local a, s, h, sn = string.match(v, '^([^\n]*)\n([^\n]*)\n([^\n]*)\n([^\n]*)\n')
      if a == ARGV[1] and s == ARGV[2] then since, mine = sn, true end
    end
    redis.call('SET', KEYS[i],
      ARGV[1] .. '\n' .. ARGV[2] .. '\n' .. ARGV[3] .. '\n' .. since .. '\n' .. (now + lttl),
      'PX', lttl)
    redis.call('SADD', KEYS[3], KEYS[i])
    redis.call('SADD', 'uas:rl:' .. repo, path)
    if not mine then
      ev('lease_taken', ARGV[1], ARGV[2], cjson.encode({lease = ARGV[7 + i]}), now)
    end
    end
  end
  redis.call('PEXPIRE', KEYS[3], math.max(sttl, lttl))
end
return {new and 1 or 0, conflicts}
";

/// KEYS: session, sessions, session's leases. ARGV: agent, session, now.
const END_SESSION: &str = r"
local live = redis.call('EXISTS', KEYS[1]) == 1
local prefix = ARGV[1] .. '\n' .. ARGV[2] .. '\n'
local n = 0
for _, k in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local v = redis.call('GET', k)
  if v and string.sub(v, 1, #prefix) == prefix then
    redis.call('DEL', k)
    n = n + 1
  end
end
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('ZREM', KEYS[2], ARGV[1] .. '\n' .. ARGV[2])
if not live then return 0 end
ev('session_ended', ARGV[1], ARGV[2], cjson.encode({leases_released = n}), ARGV[3])
return 1
";

/// KEYS: lease. ARGV: agent, session ('' for anyone), lease name, now.
const RELEASE_LEASE: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then return false end
local a, s = string.match(v, '^([^\n]*)\n([^\n]*)\n')
if ARGV[1] ~= '' and not (a == ARGV[1] and s == ARGV[2]) then return false end
redis.call('DEL', KEYS[1])
redis.call('SREM', 'uas:sl:' .. a .. ':' .. s, KEYS[1])
ev('lease_released', a, s, cjson.encode({lease = ARGV[3]}), ARGV[4])
return v
";

/// KEYS: lock, token counter. ARGV: holder, ttl, now, resource, secret.
const ACQUIRE: &str = r"
local held = redis.call('GET', KEYS[1])
if held then
  -- A retry of a call whose answer was lost: the grant is ours.
  local t, s = string.match(held, '^([^\n]*)\n[^\n]*\n[^\n]*\n[^\n]*\n([^\n]*)$')
  if s == ARGV[5] then return tonumber(t) end
  return false
end
local t = redis.call('INCR', KEYS[2])
local ok = redis.call('SET', KEYS[1],
  t .. '\n' .. ARGV[1] .. '\n' .. ARGV[3] .. '\n' .. (tonumber(ARGV[3]) + tonumber(ARGV[2]))
    .. '\n' .. ARGV[5],
  'NX', 'PX', ARGV[2])
if not ok then return false end
ev('lock_acquired', '', '', cjson.encode({resource = ARGV[4], holder = ARGV[1], token = t}), ARGV[3])
return t
";

/// KEYS: lock. ARGV: token, now, resource, secret.
const RELEASE: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local t, s = string.match(v, '^([^\n]*)\n[^\n]*\n[^\n]*\n[^\n]*\n([^\n]*)$')
if t ~= ARGV[1] or s ~= ARGV[4] then return 0 end
redis.call('DEL', KEYS[1])
ev('lock_released', '', '', cjson.encode({resource = ARGV[3], token = tonumber(ARGV[1])}), ARGV[2])
return 1
";

/// KEYS: lock. ARGV: token, ttl, now, secret.
const EXTEND: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then return false end
local t, h, since, s = string.match(v, '^([^\n]*)\n([^\n]*)\n([^\n]*)\n[^\n]*\n([^\n]*)$')
if t ~= ARGV[1] or s ~= ARGV[4] then return false end
local nv = t .. '\n' .. h .. '\n' .. since .. '\n' .. (tonumber(ARGV[3]) + tonumber(ARGV[2]))
  .. '\n' .. s
redis.call('SET', KEYS[1], nv, 'XX', 'PX', ARGV[2])
return nv
";

/// Coordination through a Redis server.
pub struct RedisCoordinator {
    client: redis::Client,
    url: String,
    timeout: Duration,
    conn: RefCell<Option<redis::Connection>>,
    scripts: Scripts,
}

struct Scripts {
    on_event: Script,
    end_session: Script,
    release_lease: Script,
    acquire: Script,
    release: Script,
    extend: Script,
}

impl Scripts {
    fn new() -> Self {
        let with_ev = |body: &str| Script::new(&format!("{EV}{body}"));
        Self {
            on_event: with_ev(ON_EVENT),
            end_session: with_ev(END_SESSION),
            release_lease: with_ev(RELEASE_LEASE),
            acquire: with_ev(ACQUIRE),
            release: with_ev(RELEASE),
            extend: Script::new(EXTEND),
        }
    }
}

/// `redis://user:secret@host/0` -> `redis://user:***@host/0`.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            match cred.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Newlines separate a lease's or lock's fields.
fn field(s: &str) -> String {
    s.replace('\n', " ")
}

fn session_key(agent: &str, session: &str) -> String {
    format!("uas:s:{agent}:{session}")
}

fn leases_key(agent: &str, session: &str) -> String {
    format!("uas:sl:{agent}:{session}")
}

fn lease_key(k: &LeaseKey) -> String {
    format!("uas:l:{}\n{}", k.repo, k.path)
}

fn lease_of_key(key: &str) -> Option<LeaseKey> {
    let (repo, path) = key.strip_prefix("uas:l:")?.split_once('\n')?;
    Some(LeaseKey {
        repo: repo.to_owned(),
        path: path.to_owned(),
    })
}

/// A lease from its stored value `agent\nsession\nhost\nsince\nexpires`.
fn lease_of(key: LeaseKey, v: &str) -> Option<Lease> {
    let f: Vec<&str> = v.split('\n').collect();
    Some(Lease {
        key,
        agent: (*f.first()?).to_owned(),
        session: (*f.get(1)?).to_owned(),
        host: (*f.get(2)?).to_owned(),
        since_ms: f.get(3)?.parse().ok()?,
        expires_ms: f.get(4)?.parse().ok()?,
    })
}

/// A grant from its stored value `token\nholder\nsince\nexpires\nsecret`
/// (without the secret).
fn grant_of(resource: &str, v: &str) -> Option<LockGrant> {
    let f: Vec<&str> = v.split('\n').collect();
    Some(LockGrant {
        resource: resource.to_owned(),
        token: f.first()?.parse().ok()?,
        secret: String::new(),
        holder: (*f.get(1)?).to_owned(),
        acquired_ms: f.get(2)?.parse().ok()?,
        expires_ms: f.get(3)?.parse().ok()?,
    })
}

/// A session from its hash.
fn session_of(h: &HashMap<String, String>) -> SessionInfo {
    let s = |k: &str| h.get(k).filter(|v| !v.is_empty()).cloned();
    let n = |k: &str| h.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    SessionInfo {
        beat: Beat {
            agent: s("agent").unwrap_or_default(),
            session: s("session").unwrap_or_default(),
            host: s("host").unwrap_or_default(),
            pid: h.get("pid").and_then(|p| p.parse().ok()),
            cwd: s("cwd"),
            repo: s("repo"),
            phase: s("phase"),
        },
        started_ms: n("started_ms"),
        last_seen_ms: n("last_seen_ms"),
        expires_ms: n("expires_ms"),
        ended_ms: None,
    }
}

impl RedisCoordinator {
    /// Connects to `url`, waiting at most `timeout` for the connection and
    /// for each answer.
    pub fn connect(url: &str, timeout: Duration) -> Result<Self, CoordError> {
        let shown = redact(url);
        let client = redis::Client::open(url).map_err(|e| CoordError::Protocol {
            url: shown.clone(),
            detail: format!("not a usable URL: {e}"),
        })?;
        let me = Self {
            client,
            url: shown,
            timeout,
            conn: RefCell::new(None),
            scripts: Scripts::new(),
        };
        me.with(|c| redis::cmd("PING").query::<String>(c))?;
        Ok(me)
    }

    fn classify(&self, e: &redis::RedisError) -> CoordError {
        if e.is_io_error()
            || e.is_timeout()
            || e.is_connection_dropped()
            || e.is_connection_refusal()
        {
            CoordError::Unreachable {
                url: self.url.clone(),
                detail: e.to_string(),
            }
        } else {
            CoordError::Protocol {
                url: self.url.clone(),
                detail: e.to_string(),
            }
        }
    }

    fn fresh(&self) -> redis::RedisResult<redis::Connection> {
        let c = self.client.get_connection_with_timeout(self.timeout)?;
        c.set_read_timeout(Some(self.timeout))?;
        c.set_write_timeout(Some(self.timeout))?;
        Ok(c)
    }

    /// Runs `f` on the connection, reconnecting once when the connection
    /// was lost (a server restart). A retried acquire that had run before
    /// the connection broke finds its own grant by its secret; nothing is
    /// granted twice.
    fn with<T>(
        &self,
        f: impl Fn(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T, CoordError> {
        let mut slot = self.conn.borrow_mut();
        for attempt in 0..2 {
            if slot.is_none() {
                match self.fresh() {
                    Ok(c) => *slot = Some(c),
                    Err(e) if attempt == 0 => {
                        tracing::debug!("coordination server: {e}; retrying once");
                        continue;
                    }
                    Err(e) => return Err(self.classify(&e)),
                }
            }
            let Some(c) = slot.as_mut() else { continue };
            match f(c) {
                Ok(v) => return Ok(v),
                Err(e) => {
                    let lost = e.is_io_error() || e.is_connection_dropped() || e.is_timeout();
                    if lost {
                        *slot = None;
                    }
                    if !lost || attempt == 1 {
                        return Err(self.classify(&e));
                    }
                    tracing::debug!("coordination server connection lost ({e}); reconnecting");
                }
            }
        }
        Err(CoordError::Unreachable {
            url: self.url.clone(),
            detail: "no connection".into(),
        })
    }

    fn scan(&self, pattern: &str) -> Result<Vec<String>, CoordError> {
        self.with(|c| {
            let mut cursor: u64 = 0;
            let mut out = Vec::new();
            loop {
                let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(pattern)
                    .arg("COUNT")
                    .arg(1000)
                    .query(c)?;
                out.extend(keys);
                if next == 0 {
                    return Ok(out);
                }
                cursor = next;
            }
        })
    }

    fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, CoordError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        self.with(|c| redis::cmd("MGET").arg(keys).query(c))
    }
}

impl Coordinator for RedisCoordinator {
    fn describe(&self) -> String {
        self.url.clone()
    }

    fn on_event(&self, beat: &Beat, keys: &[LeaseKey], ttls: Ttls) -> Result<Claim, CoordError> {
        let now = uas_core::now_ms();
        let (agent, session) = (field(&beat.agent), field(&beat.session));
        let (new, conflicts): (i64, Vec<String>) = self.with(|c| {
            let mut inv = self.scripts.on_event.prepare_invoke();
            inv.key(session_key(&agent, &session))
                .key("uas:sessions")
                .key(leases_key(&agent, &session));
            for k in keys {
                inv.key(lease_key(k));
            }
            inv.arg(&agent)
                .arg(&session)
                .arg(field(&beat.host))
                .arg(beat.pid.map(|p| p.to_string()).unwrap_or_default())
                .arg(beat.cwd.clone().unwrap_or_default())
                .arg(beat.repo.clone().unwrap_or_default())
                .arg(beat.phase.clone().unwrap_or_default())
                .arg(now)
                .arg(ms(ttls.session).max(1))
                .arg(ms(ttls.lease).max(1));
            for k in keys {
                inv.arg(k.to_string());
            }
            inv.invoke(c)
        })?;
        // The lease's own key: inside a folder the event named, it is not
        // the event's key.
        let conflicts = conflicts
            .iter()
            .filter_map(|c| {
                // index, five value fields, then the key (which holds a
                // newline itself).
                let f: Vec<&str> = c.splitn(7, '\n').collect();
                lease_of(lease_of_key(f.get(6)?)?, &f.get(1..6)?.join("\n"))
            })
            .collect();
        Ok(Claim {
            conflicts,
            new_session: new == 1,
        })
    }

    fn session(&self, agent: &str, session: &str) -> Result<Option<SessionInfo>, CoordError> {
        let h: HashMap<String, String> = self.with(|c| {
            redis::cmd("HGETALL")
                .arg(session_key(&field(agent), &field(session)))
                .query(c)
        })?;
        Ok((!h.is_empty()).then(|| session_of(&h)))
    }

    fn end_session(&self, agent: &str, session: &str) -> Result<bool, CoordError> {
        let (agent, session) = (field(agent), field(session));
        let ended: i64 = self.with(|c| {
            self.scripts
                .end_session
                .key(session_key(&agent, &session))
                .key("uas:sessions")
                .key(leases_key(&agent, &session))
                .arg(&agent)
                .arg(&session)
                .arg(uas_core::now_ms())
                .invoke(c)
        })?;
        Ok(ended == 1)
    }

    fn sessions(&self, _all: bool) -> Result<Vec<SessionInfo>, CoordError> {
        // Redis forgets a session when it is over (its history is in the
        // change stream), so `all` lists the live ones too.
        // The index is only tidied a minute after a session's expiry: the
        // session hash (which expires on the server's clock, a moment after
        // the score the client computed) says whether it is live.
        let stale = uas_core::now_ms() - 60_000;
        let members: Vec<String> = self.with(|c| {
            redis::cmd("ZREMRANGEBYSCORE")
                .arg("uas:sessions")
                .arg("-inf")
                .arg(stale)
                .query::<()>(c)?;
            redis::cmd("ZRANGE")
                .arg("uas:sessions")
                .arg(0)
                .arg(-1)
                .query(c)
        })?;
        if members.is_empty() {
            return Ok(Vec::new());
        }
        let hashes: Vec<HashMap<String, String>> = self.with(|c| {
            let mut p = redis::pipe();
            for m in &members {
                let (a, s) = m.split_once('\n').unwrap_or((m, ""));
                p.cmd("HGETALL").arg(session_key(a, s));
            }
            p.query(c)
        })?;
        let mut out: Vec<SessionInfo> = hashes
            .into_iter()
            .filter(|h| !h.is_empty())
            .map(|h| session_of(&h))
            .collect();
        out.sort_by_key(|s| std::cmp::Reverse(s.last_seen_ms));
        Ok(out)
    }

    fn leases(&self, of: Option<(&str, &str)>) -> Result<Vec<Lease>, CoordError> {
        let keys = match of {
            Some((a, s)) => self.with(|c| {
                redis::cmd("SMEMBERS")
                    .arg(leases_key(&field(a), &field(s)))
                    .query::<Vec<String>>(c)
            })?,
            None => self.scan("uas:l:*")?,
        };
        let values = self.get_many(&keys)?;
        let mut leases: Vec<Lease> = keys
            .iter()
            .zip(values)
            .filter_map(|(k, v)| lease_of(lease_of_key(k)?, &v?))
            .filter(|l| of.is_none_or(|(a, s)| l.agent == a && l.session == s))
            .collect();
        if leases.is_empty() {
            return Ok(leases);
        }
        // Only leases whose session is live.
        let live: Vec<bool> = self.with(|c| {
            let mut p = redis::pipe();
            for l in &leases {
                p.cmd("EXISTS").arg(session_key(&l.agent, &l.session));
            }
            p.query(c)
        })?;
        let mut live = live.into_iter();
        leases.retain(|_| live.next().unwrap_or(false));
        leases.sort_by(|a, b| (a.since_ms, &a.key).cmp(&(b.since_ms, &b.key)));
        Ok(leases)
    }

    fn release_lease(
        &self,
        key: &LeaseKey,
        holder: Option<(&str, &str)>,
    ) -> Result<Option<Lease>, CoordError> {
        let (a, s) = holder.map_or((String::new(), String::new()), |(a, s)| {
            (field(a), field(s))
        });
        let v: Option<String> = self.with(|c| {
            self.scripts
                .release_lease
                .key(lease_key(key))
                .arg(&a)
                .arg(&s)
                .arg(key.to_string())
                .arg(uas_core::now_ms())
                .invoke(c)
        })?;
        Ok(v.and_then(|v| lease_of(key.clone(), &v)))
    }

    fn try_acquire(
        &self,
        resource: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<LockGrant>, CoordError> {
        let now = uas_core::now_ms();
        let ttl_ms = ms(ttl).max(1);
        let secret = crate::new_secret();
        let token: Option<u64> = self.with(|c| {
            self.scripts
                .acquire
                .key(format!("uas:k:{resource}"))
                .key(format!("uas:f:{resource}"))
                .arg(field(holder))
                .arg(ttl_ms)
                .arg(now)
                .arg(resource)
                .arg(&secret)
                .invoke(c)
        })?;
        Ok(token.map(|token| LockGrant {
            resource: resource.to_owned(),
            holder: field(holder),
            token,
            secret: secret.clone(),
            acquired_ms: now,
            expires_ms: now + ttl_ms,
        }))
    }

    fn release(&self, resource: &str, token: u64, secret: &str) -> Result<bool, CoordError> {
        let n: i64 = self.with(|c| {
            self.scripts
                .release
                .key(format!("uas:k:{resource}"))
                .arg(token)
                .arg(uas_core::now_ms())
                .arg(resource)
                .arg(secret)
                .invoke(c)
        })?;
        Ok(n == 1)
    }

    fn extend(
        &self,
        resource: &str,
        token: u64,
        secret: &str,
        ttl: Duration,
    ) -> Result<Option<LockGrant>, CoordError> {
        let v: Option<String> = self.with(|c| {
            self.scripts
                .extend
                .key(format!("uas:k:{resource}"))
                .arg(token)
                .arg(ms(ttl).max(1))
                .arg(uas_core::now_ms())
                .arg(secret)
                .invoke(c)
        })?;
        Ok(v.and_then(|v| grant_of(resource, &v)).map(|g| LockGrant {
            secret: secret.to_owned(),
            ..g
        }))
    }

    fn validate(&self, resource: &str, token: u64) -> Result<bool, CoordError> {
        let v: Option<String> =
            self.with(|c| redis::cmd("GET").arg(format!("uas:k:{resource}")).query(c))?;
        Ok(v.and_then(|v| grant_of(resource, &v))
            .is_some_and(|g| g.token == token))
    }

    fn locks(&self) -> Result<Vec<LockGrant>, CoordError> {
        let keys = self.scan("uas:k:*")?;
        let values = self.get_many(&keys)?;
        let mut out: Vec<LockGrant> = keys
            .iter()
            .zip(values)
            .filter_map(|(k, v)| grant_of(k.strip_prefix("uas:k:")?, &v?))
            .collect();
        out.sort_by(|a, b| a.resource.cmp(&b.resource));
        Ok(out)
    }

    fn events_after(&self, seq: u64, limit: usize) -> Result<Vec<CoordEvent>, CoordError> {
        let rows: Vec<(String, Vec<String>)> = self.with(|c| {
            redis::cmd("XRANGE")
                .arg("uas:events")
                .arg(format!("{}-0", seq.saturating_add(1)))
                .arg("+")
                .arg("COUNT")
                .arg(limit.max(1))
                .query(c)
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, kv)| {
                let f: HashMap<&str, &str> = kv
                    .chunks(2)
                    .filter_map(|p| Some((p.first()?.as_str(), p.get(1)?.as_str())))
                    .collect();
                Some(CoordEvent {
                    seq: id.split('-').next()?.parse().ok()?,
                    ts_ms: f.get("ts")?.parse().ok()?,
                    kind: (*f.get("kind")?).to_owned(),
                    agent: (*f.get("agent")?).to_owned(),
                    session: (*f.get("session")?).to_owned(),
                    detail: serde_json::from_str(f.get("detail")?).unwrap_or_default(),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_reaches_a_message() {
        assert_eq!(
            redact("redis://u:s3cret@h:6379/0"),
            "redis://u:***@h:6379/0"
        );
        assert_eq!(redact("redis://h:6379/0"), "redis://h:6379/0");
    }
}
