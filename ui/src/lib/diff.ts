/** One line of a unified diff, classified for coloring. */
export interface DiffLine {
  kind: "add" | "del" | "context" | "hunk" | "file" | "meta";
  text: string;
  /** Line number in the old file (del, context). */
  oldNo: number | null;
  /** Line number in the new file (add, context). */
  newNo: number | null;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * Classifies a unified diff line by line. Inside a hunk the header's counts
 * decide, so a removed line that itself starts with "--" is still a
 * removal, not a file header.
 */
export function parseDiff(diff: string): DiffLine[] {
  const out: DiffLine[] = [];
  let oldLeft = 0;
  let newLeft = 0;
  let oldNo = 0;
  let newNo = 0;
  const lines = diff.split("\n");
  // A trailing newline is not an extra empty line.
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  for (const text of lines) {
    if (oldLeft > 0 || newLeft > 0) {
      const c = text[0];
      if (c === "+" && newLeft > 0) {
        out.push({ kind: "add", text, oldNo: null, newNo: newNo++ });
        newLeft--;
        continue;
      }
      if (c === "-" && oldLeft > 0) {
        out.push({ kind: "del", text, oldNo: oldNo++, newNo: null });
        oldLeft--;
        continue;
      }
      if ((c === " " || text === "") && oldLeft > 0 && newLeft > 0) {
        out.push({ kind: "context", text, oldNo: oldNo++, newNo: newNo++ });
        oldLeft--;
        newLeft--;
        continue;
      }
      if (c === "\\") {
        out.push({ kind: "meta", text, oldNo: null, newNo: null });
        continue;
      }
      // Counts were off: fall back to reading the line on its own.
      oldLeft = newLeft = 0;
    }
    const h = HUNK.exec(text);
    if (h) {
      oldNo = Number(h[1]);
      oldLeft = h[2] === undefined ? 1 : Number(h[2]);
      newNo = Number(h[3]);
      newLeft = h[4] === undefined ? 1 : Number(h[4]);
      out.push({ kind: "hunk", text, oldNo: null, newNo: null });
    } else if (/^(---|\+\+\+|diff |index )/.test(text)) {
      out.push({ kind: "file", text, oldNo: null, newNo: null });
    } else if (text.startsWith("+")) {
      out.push({ kind: "add", text, oldNo: null, newNo: null });
    } else if (text.startsWith("-")) {
      out.push({ kind: "del", text, oldNo: null, newNo: null });
    } else if (text.startsWith(" ")) {
      out.push({ kind: "context", text, oldNo: null, newNo: null });
    } else {
      out.push({ kind: "meta", text, oldNo: null, newNo: null });
    }
  }
  return out;
}

/** Lines added and removed. */
export function diffStats(lines: DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const l of lines) {
    if (l.kind === "add") added++;
    else if (l.kind === "del") removed++;
  }
  return { added, removed };
}
