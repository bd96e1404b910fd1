//! Rebuild when a migration is added or changed (they are embedded with
//! include_str!).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
