import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "../components/Markdown";
import { parseInline, parseMarkdown, safeHref } from "./markdown";

const html = (md: string) => renderToStaticMarkup(<Markdown source={md} headingShift={0} />);

describe("safeHref", () => {
  it("keeps http(s) only", () => {
    expect(safeHref("https://example.com/a?b=1")).toBe("https://example.com/a?b=1");
    expect(safeHref(" http://x.org ")).toBe("http://x.org/");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("JAVASCRIPT:alert(1)")).toBeNull();
    expect(safeHref("data:text/html,<b>")).toBeNull();
    expect(safeHref("references/guide.md")).toBeNull();
    expect(safeHref("//evil.example")).toBeNull();
  });
});

describe("Markdown", () => {
  it("escapes raw HTML instead of rendering it", () => {
    const out = html('<script>alert("x")</script>\n\n<img src=x onerror=alert(1)>');
    expect(out).not.toContain("<script");
    expect(out).not.toContain("<img");
    expect(out).toContain("&lt;script&gt;");
  });

  it("drops javascript: links but keeps their text", () => {
    const out = html("[click](javascript:alert(1)) and [site](https://example.com)");
    expect(out).not.toContain("javascript");
    expect(out).toContain("click");
    expect(out).toContain('<a href="https://example.com/" target="_blank" rel="noopener noreferrer nofollow">site</a>');
  });

  it("renders headings, emphasis, code and lists", () => {
    const out = html("# Title\n\nSome **bold**, *em*, `a<b>` and ~~old~~.\n\n- one\n- two\n\n1. first\n2. second");
    expect(out).toBe(
      "<div class=\"markdown\"><h1>Title</h1><p>Some <strong>bold</strong>, <em>em</em>, <code>a&lt;b&gt;</code> and <del>old</del>.</p>" +
        "<ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol></div>",
    );
  });

  it("keeps fenced code verbatim, including markdown and HTML inside", () => {
    const out = html("```sh\nrm -rf **not bold** <b>\n```\nafter");
    expect(out).toContain('<pre class="md-code" data-lang="sh"><code>rm -rf **not bold** &lt;b&gt;</code></pre>');
    expect(out).toContain("<p>after</p>");
  });

  it("shows front matter as a list of fields", () => {
    const blocks = parseMarkdown("---\nname: pdf-tools\ndescription: \"Edit PDFs\"\n---\n# PDF");
    expect(blocks[0]).toEqual({ t: "front", entries: [["name", "pdf-tools"], ["description", "Edit PDFs"]] });
    expect(blocks[1]).toMatchObject({ t: "heading", level: 1 });
  });

  it("leaves snake_case words alone", () => {
    expect(parseInline("call snake_case_name now")).toEqual([{ t: "text", v: "call snake_case_name now" }]);
    expect(parseInline("_em_")).toEqual([{ t: "em", c: [{ t: "text", v: "em" }] }]);
  });

  it("links bare addresses and nests lists", () => {
    expect(html("see https://x.org/docs.")).toContain('<a href="https://x.org/docs" target="_blank" rel="noopener noreferrer nofollow">https://x.org/docs</a>.');
    const out = html("- a\n  - b\n- c");
    expect(out).toContain("<ul><li><p>a</p><ul><li>b</li></ul></li><li>c</li></ul>");
  });

  it("renders pipe tables and quotes", () => {
    const out = html("| a | b |\n|---|:-:|\n| 1 | `x|y` |\n\n> quoted");
    expect(out).toContain("<thead><tr><th>a</th><th>b</th></tr></thead>");
    expect(out).toContain("<blockquote><p>quoted</p></blockquote>");
  });

  it("renders images as links without loading them", () => {
    const out = html("![logo](https://x.org/l.png)");
    expect(out).toContain('<a href="https://x.org/l.png"');
    expect(out).toContain("image: logo");
    expect(out).not.toContain("<img");
  });
});
