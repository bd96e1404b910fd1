import { describe, expect, it } from "vitest";
import { diffStats, parseDiff } from "./diff";

describe("parseDiff", () => {
  it("classifies headers, hunks, additions, removals and context with line numbers", () => {
    const d = "--- a/settings.json\n+++ b/settings.json\n@@ -1,3 +1,3 @@\n {\n-  \"x\": 1\n+  \"x\": 2\n }\n";
    const lines = parseDiff(d);
    expect(lines.map((l) => l.kind)).toEqual(["file", "file", "hunk", "context", "del", "add", "context"]);
    expect(lines[4]).toMatchObject({ oldNo: 2, newNo: null });
    expect(lines[5]).toMatchObject({ oldNo: null, newNo: 2 });
    expect(lines[6]).toMatchObject({ oldNo: 3, newNo: 3 });
    expect(diffStats(lines)).toEqual({ added: 1, removed: 1 });
  });

  it("reads a removed line starting with -- as a removal inside a hunk", () => {
    const lines = parseDiff("@@ -1,2 +1 @@\n--- a yaml separator\n-x\n+y\n");
    expect(lines.map((l) => l.kind)).toEqual(["hunk", "del", "del", "add"]);
  });

  it("treats a new file's diff and a no-newline marker", () => {
    const lines = parseDiff("@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file");
    expect(lines.map((l) => l.kind)).toEqual(["hunk", "add", "add", "meta"]);
    expect(lines[2].newNo).toBe(2);
  });

  it("survives wrong counts and empty input", () => {
    expect(parseDiff("")).toEqual([]);
    expect(parseDiff("@@ -1 +1 @@\n-a\n+b\n+c\n").map((l) => l.kind)).toEqual(["hunk", "del", "add", "add"]);
  });
});
