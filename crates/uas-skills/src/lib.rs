//! The skills package manager: versioned skills with dependencies, from
//! registries, installed side by side and switched atomically.
//!
//! - [`manifest`]: what a skill says about itself (`SKILL.md` frontmatter,
//!   optional `skill.toml`), validated.
//! - [`index`]: the registry format (`index.json` + `.tar.gz` archives) and
//!   `registry build`.
//! - [`marketplace`]: Claude Code `marketplace.json` as a build source.
//! - [`sign`]: ed25519 keys and signatures over archive bytes.
//! - [`archive`]: packing, and unpacking with strict safety checks.
//! - [`client`]: reading registries from a folder or over HTTP.
//! - [`serve`]: a static loopback server for a registry folder.
//! - [`resolve`]: semver resolution with pubgrub, explained conflicts, limits.
//! - [`lock`]: `~/.agent/skills.lock`, the record of what is active.
//! - [`store`]: `~/.agent/skills/store/<name>/<version>/` and staging.
//! - [`registries`]: the configured registries together; archive checks.
//! - [`ops`]: install, update, rollback, remove.
//! - [`query`]: list, verify, search, info.

pub mod archive;
pub mod client;
mod error;
pub mod index;
pub mod lock;
pub mod manifest;
pub mod marketplace;
pub mod ops;
pub mod query;
pub mod registries;
pub mod resolve;
pub mod serve;
pub mod sign;
pub mod store;

pub use error::SkillError;
