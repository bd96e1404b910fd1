//! `uas audit export`: the log as JSON Lines or CSV.

use crate::Record;
use std::io::Write;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// RFC 4180 CSV with a header row.
    Csv,
}

/// The CSV header.
pub const CSV_HEADER: &str =
    "seq,ts_ms,agent,session,kind,severity,payload,decision,prev_hash,hash";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Writes one record.
pub fn write_record(out: &mut impl Write, r: &Record, format: Format) -> std::io::Result<()> {
    match format {
        Format::Jsonl => {
            serde_json::to_writer(&mut *out, r)?;
            writeln!(out)
        }
        Format::Csv => writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            r.seq,
            r.ts_ms,
            csv_field(&r.agent),
            csv_field(&r.session),
            csv_field(&r.kind),
            csv_field(&r.severity),
            csv_field(&r.payload),
            csv_field(r.decision.as_deref().unwrap_or("")),
            r.prev_hash,
            r.hash
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_quotes_and_newlines() {
        let r = Record {
            seq: 3,
            ts_ms: 4,
            agent: "claude".into(),
            session: "s,1".into(),
            kind: "pre_tool".into(),
            severity: "info".into(),
            payload: "{\"a\":\"x\ny\"}".into(),
            decision: None,
            prev_hash: "00".into(),
            hash: "11".into(),
        };
        let mut out = Vec::new();
        write_record(&mut out, &r, Format::Csv).expect("csv");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "3,4,claude,\"s,1\",pre_tool,info,\"{\"\"a\"\":\"\"x\ny\"\"}\",,00,11\n"
        );
        let mut out = Vec::new();
        write_record(&mut out, &r, Format::Jsonl).expect("jsonl");
        let back: Record = serde_json::from_slice(&out).expect("json");
        assert_eq!(back, r);
    }
}
