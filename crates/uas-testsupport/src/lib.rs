//! What every Universal Agent test needs and no test should write again: a
//! temporary home laid out like a real machine ([`TempHome`]), the fixture
//! agent homes ([`fixture_home`]), tree snapshots to compare before and
//! after ([`files`], [`dirs`]), and a runner for the built `uas` binary with
//! a cleared environment ([`Sandbox`]), and a real `redis-server` on a free
//! loopback port ([`RedisServer`]).
//!
//! Nothing here reads or writes the real `~`: every path is below a temp dir
//! and the binary gets `HOME` pointed there, never `std::env::set_var`.

mod home;
mod redis;
mod run;
mod tree;

pub use home::{TempHome, fixture_home};
pub use redis::RedisServer;
pub use run::{Sandbox, json_stdout, stderr, stdout};
pub use tree::{copy_tree, dirs, files};
