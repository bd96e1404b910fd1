//! Reading registries: a local folder, or HTTP(S) with timeouts, retries
//! and an ETag cache of each index under `~/.agent/cache/registries/`.

use crate::SkillError;
use crate::index::{INDEX_FILE, IndexEntry, RegistryIndex};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;
use uas_core::config::RegistryConfig;
use uas_core::fsx::{self, Overwrite};

/// Attempts per HTTP request (connection errors, timeouts and 5xx retry).
const ATTEMPTS: u32 = 3;

/// Where a registry lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A folder on this machine.
    Folder(PathBuf),
    /// Base URL ending in `/`.
    Http(String),
}

/// One configured registry.
#[derive(Debug, Clone)]
pub struct Registry {
    /// Name from config.
    pub name: String,
    /// Higher wins.
    pub priority: i32,
    /// Where.
    pub location: Location,
    http: Option<reqwest::blocking::Client>,
}

/// Download progress: bytes so far, total bytes expected.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

impl Registry {
    /// A registry from its config entry.
    pub fn from_config(c: &RegistryConfig) -> Result<Self, SkillError> {
        let url = c.url.trim();
        let location = if url.starts_with("http://") || url.starts_with("https://") {
            let mut u = url.to_owned();
            if !u.ends_with('/') {
                u.push('/');
            }
            Location::Http(u)
        } else {
            let p = PathBuf::from(url.strip_prefix("file://").unwrap_or(url));
            if !p.is_absolute() {
                return Err(SkillError::Index {
                    registry: c.name.clone(),
                    message: format!(
                        "url `{url}` is neither http(s):// nor an absolute folder path"
                    ),
                });
            }
            Location::Folder(p)
        };
        let http = match location {
            Location::Http(_) => Some(http_client().map_err(|e| SkillError::Fetch {
                registry: c.name.clone(),
                what: "a connection".into(),
                message: e.to_string(),
            })?),
            Location::Folder(_) => None,
        };
        Ok(Self {
            name: c.name.clone(),
            priority: c.priority,
            location,
            http,
        })
    }

    fn fetch_err(&self, what: &str, message: impl Into<String>) -> SkillError {
        SkillError::Fetch {
            registry: self.name.clone(),
            what: what.to_owned(),
            message: message.into(),
        }
    }

    /// The index, from the registry or (HTTP 304) from the cache.
    pub fn index(&self, cache_dir: &Path) -> Result<RegistryIndex, SkillError> {
        let bytes = match &self.location {
            Location::Folder(root) => {
                let p = root.join(INDEX_FILE);
                std::fs::read(&p)
                    .map_err(|e| self.fetch_err(INDEX_FILE, format!("{}: {e}", p.display())))?
            }
            Location::Http(base) => self.http_index(base, cache_dir)?,
        };
        RegistryIndex::parse(&self.name, &bytes)
    }

    fn http_index(&self, base: &str, cache_dir: &Path) -> Result<Vec<u8>, SkillError> {
        let dir = cache_dir
            .join("registries")
            .join(cache_key(&self.name, base));
        let cached_body = dir.join(INDEX_FILE);
        let cached_etag = dir.join("etag");
        let etag = std::fs::read_to_string(&cached_etag).ok();
        let url = format!("{base}{INDEX_FILE}");
        let resp = self.get(&url, etag.as_deref().filter(|_| cached_body.is_file()))?;
        if resp.status() == reqwest::StatusCode::NOT_MODIFIED {
            return std::fs::read(&cached_body)
                .map_err(|e| self.fetch_err(INDEX_FILE, e.to_string()));
        }
        let new_etag = resp
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = read_limited(resp, 64 * 1024 * 1024, &mut |_, _| {})
            .map_err(|e| self.fetch_err(INDEX_FILE, e.to_string()))?;
        // The cache is an optimisation: failing to write it is not an error.
        if let Some(tag) = new_etag
            && fsx::create_dir_all(&dir).is_ok()
            && fsx::write_atomic(&cached_body, &body, Overwrite::Replace).is_ok()
        {
            let _ = fsx::write_atomic(&cached_etag, tag.as_bytes(), Overwrite::Replace);
        }
        Ok(body)
    }

    /// GET with retries; non-2xx/304 answers are errors.
    fn get(
        &self,
        url: &str,
        etag: Option<&str>,
    ) -> Result<reqwest::blocking::Response, SkillError> {
        let client = self
            .http
            .as_ref()
            .ok_or_else(|| self.fetch_err(url, "not an HTTP registry"))?;
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(200 << attempt));
            }
            let mut req = client.get(url);
            if let Some(tag) = etag {
                req = req.header(reqwest::header::IF_NONE_MATCH, tag);
            }
            match req.send() {
                Ok(r)
                    if r.status().is_success()
                        || r.status() == reqwest::StatusCode::NOT_MODIFIED =>
                {
                    return Ok(r);
                }
                Ok(r) if r.status().is_server_error() => last = format!("HTTP {}", r.status()),
                Ok(r) => return Err(self.fetch_err(url, format!("HTTP {}", r.status()))),
                Err(e) => last = error_chain(&e),
            }
            tracing::debug!(url, attempt, error = %last, "registry request failed");
        }
        Err(self.fetch_err(url, format!("{last} (after {ATTEMPTS} attempts)")))
    }

    /// Downloads the archive of `entry`, refusing more than `max` bytes.
    pub fn archive(
        &self,
        entry: &IndexEntry,
        max: u64,
        progress: Progress<'_>,
    ) -> Result<Vec<u8>, SkillError> {
        if entry.size > max {
            return Err(self.fetch_err(
                &entry.archive,
                format!(
                    "the archive is {} bytes, over the limit of {max}",
                    entry.size
                ),
            ));
        }
        match &self.location {
            Location::Folder(root) => {
                let p = root.join(&entry.archive);
                let bytes = std::fs::read(&p)
                    .map_err(|e| self.fetch_err(&entry.archive, format!("{}: {e}", p.display())))?;
                if bytes.len() as u64 > max {
                    return Err(self.fetch_err(
                        &entry.archive,
                        format!("the archive is over the limit of {max} bytes"),
                    ));
                }
                progress(bytes.len() as u64, entry.size);
                Ok(bytes)
            }
            Location::Http(base) => {
                let url = format!("{base}{}", entry.archive);
                let resp = self.get(&url, None)?;
                read_limited(resp, max, &mut |done, _| progress(done, entry.size))
                    .map_err(|e| self.fetch_err(&entry.archive, e.to_string()))
            }
        }
    }
}

/// A folder name for the cache of one registry.
fn cache_key(name: &str, base: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let h = crate::index::sha256_hex(base.as_bytes());
    format!("{safe}-{}", &h[..12])
}

/// The HTTP client could not be built, or an answer could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The TLS or client setup failed.
    #[error("{}", error_chain(.0))]
    Client(reqwest::Error),
    /// The announced length is over the limit.
    #[error("the answer is {size} bytes, over the limit of {max}")]
    Announced {
        /// `Content-Length` of the answer.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// More bytes arrived than the limit allows.
    #[error("the answer is over the limit of {max} bytes")]
    OverLimit {
        /// The limit.
        max: u64,
    },
    /// Reading the body failed.
    #[error("{0}")]
    Read(std::io::Error),
}

fn read_limited(
    mut resp: reqwest::blocking::Response,
    max: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Vec<u8>, HttpError> {
    let total = resp.content_length().unwrap_or(0);
    if total > max {
        return Err(HttpError::Announced { size: total, max });
    }
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = resp.read(&mut buf).map_err(HttpError::Read)?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
        if out.len() as u64 > max {
            return Err(HttpError::OverLimit { max });
        }
        progress(out.len() as u64, total);
    }
    Ok(out)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// The HTTP client: rustls with the ring provider, short connect timeout,
/// bounded total time per request.
pub fn http_client() -> Result<reqwest::blocking::Client, HttpError> {
    // Installing fails only when a provider is already installed: fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(120))
        .user_agent(concat!("uas/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(HttpError::Client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_client_builds_with_tls() {
        assert!(http_client().is_ok(), "{:?}", http_client().err());
    }

    #[test]
    fn relative_folder_urls_are_refused() {
        let c = RegistryConfig {
            name: "x".into(),
            url: "skills".into(),
            priority: 0,
        };
        assert!(Registry::from_config(&c).is_err());
    }
}
