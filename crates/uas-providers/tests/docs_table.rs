//! docs/agents.md's "Every registered event" table says, per agent, each
//! event setup registers, its kind and whether our answer can refuse it:
//! the agent modules and the table must agree, in both directions.

use uas_core::AgentId;
use uas_providers::agents::spec;

fn table() -> Vec<Vec<String>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/agents.md");
    let text = std::fs::read_to_string(path).expect("docs/agents.md");
    let start = text
        .find("### Every registered event")
        .expect("the table's heading");
    text[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter(|l| !l.starts_with("| agent") && !l.starts_with("|---"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn every_registered_event_is_in_the_docs_table_as_registered() {
    let rows = table();
    let mut expected = Vec::new();
    for agent in AgentId::ALL {
        let s = spec(agent);
        for e in s.registered() {
            let kind = if e.failure {
                format!("{} (failed)", e.kind.as_str())
            } else {
                e.kind.as_str().to_owned()
            };
            expected.push((
                agent.as_str().to_owned(),
                format!("`{}`", e.name),
                kind,
                e.blocks,
            ));
        }
    }
    for (agent, event, kind, blocks) in &expected {
        let row = rows
            .iter()
            .find(|r| r.first() == Some(agent) && r.get(1) == Some(event))
            .unwrap_or_else(|| panic!("docs/agents.md lacks a row for {agent} {event}"));
        assert_eq!(row.get(2), Some(kind), "{agent} {event}: kind");
        let refuses = row.get(3).is_some_and(|c| c.starts_with("yes"));
        assert_eq!(refuses, *blocks, "{agent} {event}: refuses");
    }
    for r in &rows {
        assert!(
            expected
                .iter()
                .any(|(a, e, _, _)| r.first() == Some(a) && r.get(1) == Some(e)),
            "docs/agents.md lists {r:?}, which setup does not register"
        );
    }
}
