/**
 * A small Markdown parser for SKILL.md files, producing a tree that
 * components/Markdown.tsx turns into React elements. It never produces
 * HTML: raw HTML in the source stays text, and only http(s) links survive.
 * Covers what skills use: front matter, headings, paragraphs, lists,
 * fenced code, block quotes, rules, pipe tables, emphasis, code, links.
 */

export type Inline =
  | { t: "text"; v: string }
  | { t: "code"; v: string }
  | { t: "strong"; c: Inline[] }
  | { t: "em"; c: Inline[] }
  | { t: "del"; c: Inline[] }
  | { t: "link"; href: string; c: Inline[] }
  | { t: "br" };

export type Block =
  | { t: "front"; entries: [string, string][] }
  | { t: "heading"; level: number; c: Inline[] }
  | { t: "para"; c: Inline[] }
  | { t: "code"; lang: string; v: string }
  | { t: "quote"; c: Block[] }
  | { t: "list"; ordered: boolean; start: number; items: Block[][] }
  | { t: "table"; head: Inline[][]; rows: Inline[][][] }
  | { t: "hr" };

/** The URL if it is an absolute http(s) address, else null (javascript:, data:, relative…). */
export function safeHref(url: string): string | null {
  const u = url.trim();
  if (!/^https?:\/\/[^\s]+$/i.test(u)) return null;
  try {
    const parsed = new URL(u);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- blocks

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/;
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$/;
const HR = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}> ?/;
const ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])(\s+|$)/;
const TABLE_SEP = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

const isBlank = (l: string) => l.trim() === "";

/** A closing fence: the same character, at least as many, nothing after. */
function closesFence(line: string, marker: string): boolean {
  const m = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
  return m !== null && m[1][0] === marker[0] && m[1].length >= marker.length;
}
const indentOf = (l: string) => l.length - l.trimStart().length;

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || HR.test(line) || QUOTE.test(line) || ITEM.test(line);
}

function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith("|")) s = s.slice(1);
  if (s.endsWith("|") && !s.endsWith("\\|")) s = s.slice(0, -1);
  // Split on pipes not escaped with a backslash.
  const cells: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\" && s[i + 1] === "|") {
      cur += "|";
      i++;
    } else if (s[i] === "|") {
      cells.push(cur.trim());
      cur = "";
    } else cur += s[i];
  }
  cells.push(cur.trim());
  return cells;
}

function parseFrontMatter(lines: string[]): { block: Block | null; rest: number } {
  if (lines[0]?.trim() !== "---") return { block: null, rest: 0 };
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === "---");
  if (end < 0) return { block: null, rest: 0 };
  const entries: [string, string][] = [];
  for (const l of lines.slice(1, end)) {
    const m = /^([A-Za-z0-9_-]+):\s*(.*)$/.exec(l);
    if (m) entries.push([m[1], m[2].replace(/^["']|["']$/g, "")]);
    else if (entries.length > 0 && l.trim()) {
      // A continuation (folded value or list item) joins the previous entry.
      const last = entries[entries.length - 1];
      last[1] = `${last[1]} ${l.trim().replace(/^- /, "")}`.trim();
    }
  }
  return { block: { t: "front", entries }, rest: end + 1 };
}

function parseBlocks(lines: string[]): Block[] {
  const out: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1];
      const body: string[] = [];
      i++;
      while (i < lines.length && !closesFence(lines[i], marker)) {
        body.push(lines[i]);
        i++;
      }
      i++; // the closing fence (or the end)
      out.push({ t: "code", lang: fence[2] ?? "", v: body.join("\n") });
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      out.push({ t: "heading", level: h[1].length, c: parseInline(h[2] ?? "") });
      i++;
      continue;
    }
    if (HR.test(line)) {
      out.push({ t: "hr" });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const inner: string[] = [];
      while (i < lines.length && (QUOTE.test(lines[i]) || (!isBlank(lines[i]) && !startsBlock(lines[i]) && inner.length > 0))) {
        inner.push(lines[i].replace(QUOTE, ""));
        i++;
      }
      out.push({ t: "quote", c: parseBlocks(inner) });
      continue;
    }
    const item = ITEM.exec(line);
    if (item) {
      i = parseList(lines, i, out);
      continue;
    }
    if (line.includes("|") && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]) && lines[i + 1].includes("-")) {
      const head = splitRow(line).map(parseInline);
      const rows: Inline[][][] = [];
      i += 2;
      while (i < lines.length && !isBlank(lines[i]) && lines[i].includes("|")) {
        rows.push(splitRow(lines[i]).map(parseInline));
        i++;
      }
      out.push({ t: "table", head, rows });
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && !isBlank(lines[i]) && (para.length === 0 || !startsBlock(lines[i]))) {
      para.push(lines[i]);
      i++;
    }
    out.push({ t: "para", c: parseInline(para.join("\n")) });
  }
  return out;
}

/** Parses a list starting at line `start`; returns the index after it. */
function parseList(lines: string[], start: number, out: Block[]): number {
  const first = ITEM.exec(lines[start]) as RegExpExecArray;
  const baseIndent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const items: string[][] = [];
  let i = start;
  while (i < lines.length) {
    const line = lines[i];
    const m = ITEM.exec(line);
    if (m && m[1].length === baseIndent && /\d/.test(m[2]) === ordered) {
      const contentIndent = m[0].length;
      const body = [line.slice(contentIndent)];
      i++;
      // Continuation: indented lines, and blank lines followed by indented ones.
      while (i < lines.length) {
        const l = lines[i];
        if (isBlank(l)) {
          const next = lines.slice(i + 1).find((x) => !isBlank(x));
          if (next !== undefined && indentOf(next) > baseIndent) {
            body.push("");
            i++;
            continue;
          }
          break;
        }
        if (indentOf(l) > baseIndent) {
          body.push(l.slice(Math.min(indentOf(l), contentIndent)));
          i++;
          continue;
        }
        // A lazy continuation of the item's paragraph.
        if (!startsBlock(l) && body.length > 0 && !isBlank(body[body.length - 1])) {
          body.push(l);
          i++;
          continue;
        }
        break;
      }
      items.push(body);
      // Blank lines between items keep the list going.
      let j = i;
      while (j < lines.length && isBlank(lines[j])) j++;
      const again = j < lines.length ? ITEM.exec(lines[j]) : null;
      if (again && again[1].length === baseIndent && /\d/.test(again[2]) === ordered) i = j;
      else break;
    } else break;
  }
  out.push({ t: "list", ordered, start: ordered ? parseInt(first[2], 10) : 1, items: items.map(parseBlocks) });
  return i;
}

/** Parses a whole document. */
export function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, "\n").replace(/\t/g, "    ").split("\n");
  const front = parseFrontMatter(lines);
  const blocks = parseBlocks(lines.slice(front.rest));
  return front.block ? [front.block, ...blocks] : blocks;
}

// ---------------------------------------------------------------- inlines

const PUNCT = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;
const URL_IN_TEXT = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)'\]]/g;
const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/** Text with bare http(s) addresses turned into links. */
function textWithLinks(s: string, out: Inline[]) {
  let last = 0;
  for (const m of s.matchAll(URL_IN_TEXT)) {
    const at = m.index ?? 0;
    const href = safeHref(m[0]);
    if (!href) continue;
    if (at > last) pushText(out, s.slice(last, at));
    out.push({ t: "link", href, c: [{ t: "text", v: m[0] }] });
    last = at + m[0].length;
  }
  if (last < s.length) pushText(out, s.slice(last));
}

function pushText(out: Inline[], v: string) {
  const prev = out[out.length - 1];
  if (prev && prev.t === "text") prev.v += v;
  else out.push({ t: "text", v });
}

/** Finds the `]` closing the `[` at `open`, honoring nesting and escapes. */
function closingBracket(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === "[") depth++;
    else if (s[i] === "]" && --depth === 0) return i;
  }
  return -1;
}

/** `(url "title")` right after a link's text: the url and where it ends. */
function linkTarget(s: string, at: number): { url: string; end: number } | null {
  if (s[at] !== "(") return null;
  let depth = 0;
  for (let i = at; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")" && --depth === 0) {
      const inner = s.slice(at + 1, i).trim();
      const url = inner.replace(/\s+["'(].*$/, "").replace(/^<|>$/g, "");
      return { url, end: i + 1 };
    }
    else if (s[i] === "\n") return null;
  }
  return null;
}

/** Emphasis delimited by `d` starting at `i`: its inner text and the end, or null. */
function delimited(s: string, i: number, d: string): { inner: string; end: number } | null {
  const after = s[i + d.length];
  if (after === undefined || /\s/.test(after)) return null;
  // `_` inside a word (snake_case) is not emphasis.
  if (d[0] === "_" && isWordChar(s[i - 1])) return null;
  let j = i + d.length;
  while (j < s.length) {
    const k = s.indexOf(d, j);
    if (k < 0) return null;
    const before = s[k - 1];
    const next = s[k + d.length];
    const okClose = !/\s/.test(before) && !(d[0] === "_" && isWordChar(next)) && !(d.length === 1 && next === d);
    if (k > i + d.length && okClose) return { inner: s.slice(i + d.length, k), end: k + d.length };
    j = k + d.length;
  }
  return null;
}

/** Parses inline Markdown. */
export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  let text = "";
  const flush = () => {
    if (text) textWithLinks(text, out);
    text = "";
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === "\\" && i + 1 < s.length && PUNCT.test(s[i + 1])) {
      // An escaped character is literal; kept out of link detection.
      flush();
      pushText(out, s[i + 1]);
      i += 2;
      continue;
    }
    if (c === "\\" && s[i + 1] === "\n") {
      flush();
      out.push({ t: "br" });
      i += 2;
      continue;
    }
    if (c === "\n") {
      // Two trailing spaces make a hard break; otherwise a line break is a space.
      if (text.endsWith("  ")) {
        text = text.replace(/ +$/, "");
        flush();
        out.push({ t: "br" });
      } else text += " ";
      i++;
      continue;
    }
    if (c === "`") {
      const run = /^`+/.exec(s.slice(i))?.[0] ?? "`";
      const close = s.indexOf(run, i + run.length);
      if (close > 0) {
        flush();
        let v = s.slice(i + run.length, close).replace(/\n/g, " ");
        if (v.length > 2 && v.startsWith(" ") && v.endsWith(" ")) v = v.slice(1, -1);
        out.push({ t: "code", v });
        i = close + run.length;
        continue;
      }
      text += run;
      i += run.length;
      continue;
    }
    if (c === "<") {
      const m = /^<(https?:\/\/[^\s<>]+)>/i.exec(s.slice(i));
      const href = m ? safeHref(m[1]) : null;
      if (m && href) {
        flush();
        out.push({ t: "link", href, c: [{ t: "text", v: m[1] }] });
        i += m[0].length;
        continue;
      }
    }
    if (c === "[" || (c === "!" && s[i + 1] === "[")) {
      const open = c === "!" ? i + 1 : i;
      const close = closingBracket(s, open);
      const target = close > 0 ? linkTarget(s, close + 1) : null;
      if (target) {
        flush();
        const label = s.slice(open + 1, close);
        // Images are not loaded (a remote image tells its server you looked): shown as a link.
        const inner = c === "!" ? [{ t: "text" as const, v: label ? `image: ${label}` : "image" }] : parseInline(label);
        const href = safeHref(target.url);
        if (href) out.push({ t: "link", href, c: inner });
        else out.push(...inner);
        i = target.end;
        continue;
      }
    }
    if (c === "*" || c === "_" || c === "~") {
      const double = s[i + 1] === c ? c + c : null;
      if (double) {
        const d = delimited(s, i, double);
        if (d) {
          flush();
          out.push({ t: c === "~" ? "del" : "strong", c: parseInline(d.inner) });
          i = d.end;
          continue;
        }
      }
      if (c !== "~") {
        const d = delimited(s, i, c);
        if (d) {
          flush();
          out.push({ t: "em", c: parseInline(d.inner) });
          i = d.end;
          continue;
        }
      }
      const run = double ?? c;
      text += run;
      i += run.length;
      continue;
    }
    text += c;
    i++;
  }
  flush();
  return out;
}
