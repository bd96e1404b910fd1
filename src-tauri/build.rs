//! Tauri build script: our capabilities live in src-tauri/capabilities, not
//! the default ./capabilities at the package root.
fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attrs =
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri build failed: {e:#}");
    }
}
