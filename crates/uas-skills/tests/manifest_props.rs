//! Property tests for the `SKILL.md` manifest parser: it reads text from
//! anywhere (registries, marketplaces, a user's folder), so no input may make
//! it panic, and a manifest we can write must read back as written.

use proptest::prelude::*;
use semver::{Version, VersionReq};
use std::collections::BTreeMap;
use std::path::Path;
use uas_skills::manifest::{SkillManifest, frontmatter, parse_dependencies};

/// Pieces of frontmatter syntax, so generated text reaches the nested-map,
/// list, block-scalar and quoting branches instead of failing on line one.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("---".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("  ".to_owned()),
        Just("\t".to_owned()),
        Just(": ".to_owned()),
        Just("- ".to_owned()),
        Just("name".to_owned()),
        Just("description".to_owned()),
        Just("metadata".to_owned()),
        Just("version".to_owned()),
        Just("dependencies".to_owned()),
        Just("license".to_owned()),
        Just("allowed-tools".to_owned()),
        Just("|".to_owned()),
        Just(">-".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("\\".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just("@".to_owned()),
        Just(" #".to_owned()),
        Just("\u{feff}".to_owned()),
        "[a-z0-9^~=<>.*-]{1,8}",
        "\\PC{1,4}",
    ]
}

fn frontmatter_like() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..60).prop_map(|parts| parts.concat())
}

fn parse(text: &str, toml: Option<&str>, folder: Option<&str>, hash: &str) {
    let _ = SkillManifest::parse(
        Path::new("SKILL.md"),
        text,
        toml.map(|t| (Path::new("skill.toml"), t)),
        folder,
        hash,
    );
}

/// A valid skill name: dash-separated runs of `[a-z0-9]`.
fn skill_name() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-z0-9]{1,8}", 1..5).prop_map(|parts| parts.join("-"))
}

fn version() -> impl Strategy<Value = Version> {
    (
        0u64..2000,
        0u64..2000,
        0u64..2000,
        prop::option::of("[a-z]{1,6}(\\.[1-9][0-9]{0,2})?"),
    )
        .prop_map(|(major, minor, patch, pre)| {
            let text = match pre {
                Some(p) => format!("{major}.{minor}.{patch}-{p}"),
                None => format!("{major}.{minor}.{patch}"),
            };
            Version::parse(&text).expect("generated versions are valid")
        })
}

/// A requirement as written in `metadata.dependencies` (`""` is a bare name).
fn requirement() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["", "^", "~", "=", ">=", "<", "*"]),
        0u64..50,
        0u64..50,
        0u64..50,
    )
        .prop_map(|(op, a, b, c)| match op {
            "" | "*" => op.to_owned(),
            _ => format!("{op}{a}.{b}.{c}"),
        })
}

/// A description on one line, with quotes and backslashes to escape.
fn description() -> impl Strategy<Value = String> {
    "\\PC{1,120}".prop_filter("has text", |d| !d.trim().is_empty())
}

/// `s` as a double-quoted frontmatter scalar.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic_the_parser(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        toml in prop::option::of(prop::collection::vec(any::<u8>(), 0..200)),
        folder in prop::option::of("\\PC{0,12}"),
        hash in "\\PC{0,20}",
    ) {
        let text = String::from_utf8_lossy(&bytes);
        let toml = toml.map(|t| String::from_utf8_lossy(&t).into_owned());
        parse(&text, toml.as_deref(), folder.as_deref(), &hash);
        let _ = frontmatter(&text);
        let _ = parse_dependencies(&text);
    }

    #[test]
    fn frontmatter_shaped_text_never_panics_the_parser(
        body in frontmatter_like(),
        toml in prop::option::of(frontmatter_like()),
        hash in "[0-9a-f]{0,16}",
    ) {
        parse(&body, toml.as_deref(), None, &hash);
        let framed = format!("---\n{body}\n---\nbody\n");
        parse(&framed, None, Some("name"), &hash);
        let _ = frontmatter(&framed);
        let _ = parse_dependencies(&body);
    }

    #[test]
    fn a_written_manifest_reads_back_as_written(
        name in skill_name(),
        description in description(),
        version in version(),
        deps in prop::collection::btree_map(skill_name(), requirement(), 0..5),
        license in prop::option::of("[A-Za-z0-9.-]{1,12}"),
    ) {
        let deps: BTreeMap<String, String> =
            deps.into_iter().filter(|(d, _)| *d != name).collect();
        let dep_list = deps
            .iter()
            .map(|(d, r)| if r.is_empty() { d.clone() } else { format!("{d}@{r}") })
            .collect::<Vec<_>>()
            .join(", ");
        let mut text = format!("---\nname: {name}\ndescription: {}\n", quoted(&description));
        if let Some(l) = &license {
            text.push_str(&format!("license: {l}\n"));
        }
        text.push_str(&format!(
            "metadata:\n  version: \"{version}\"\n  dependencies: \"{dep_list}\"\n---\n# {name}\n"
        ));

        let m = SkillManifest::parse(Path::new("SKILL.md"), &text, None, Some(&name), "abc")
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;

        prop_assert_eq!(&m.name, &name);
        prop_assert_eq!(m.description.as_str(), description.trim());
        prop_assert_eq!(&m.version, &version);
        prop_assert_eq!(&m.license, &license);
        let want: BTreeMap<String, VersionReq> = deps
            .iter()
            .map(|(d, r)| {
                let r = if r.is_empty() { "*" } else { r.as_str() };
                (d.clone(), VersionReq::parse(r).expect("generated requirements are valid"))
            })
            .collect();
        prop_assert_eq!(&m.dependencies, &want);
    }

    #[test]
    fn the_same_manifest_in_skill_toml_reads_back_the_same(
        name in skill_name(),
        version in version(),
        deps in prop::collection::btree_map(skill_name(), requirement(), 0..5),
    ) {
        let deps: BTreeMap<String, String> = deps
            .into_iter()
            .filter(|(d, r)| *d != name && !r.is_empty())
            .collect();
        let md = format!("---\nname: {name}\ndescription: d\n---\n");
        let mut toml = format!("version = \"{version}\"\n[dependencies]\n");
        for (d, r) in &deps {
            toml.push_str(&format!("{d} = \"{r}\"\n"));
        }
        let m = SkillManifest::parse(
            Path::new("SKILL.md"),
            &md,
            Some((Path::new("skill.toml"), &toml)),
            None,
            "abc",
        )
        .map_err(|e| TestCaseError::fail(format!("{e}\n{toml}")))?;
        prop_assert_eq!(&m.version, &version);
        let got: BTreeMap<String, String> =
            m.dependencies.iter().map(|(d, r)| (d.clone(), r.to_string())).collect();
        let want: BTreeMap<String, String> = deps
            .iter()
            .map(|(d, r)| (d.clone(), VersionReq::parse(r).expect("valid").to_string()))
            .collect();
        prop_assert_eq!(got, want);
    }
}
