import type { ReactNode } from "react";
import { parseMarkdown, type Block, type Inline } from "../lib/markdown";

function inlines(nodes: Inline[]): ReactNode[] {
  return nodes.map((n, i) => {
    switch (n.t) {
      case "text":
        return n.v;
      case "code":
        return <code key={i}>{n.v}</code>;
      case "strong":
        return <strong key={i}>{inlines(n.c)}</strong>;
      case "em":
        return <em key={i}>{inlines(n.c)}</em>;
      case "del":
        return <del key={i}>{inlines(n.c)}</del>;
      case "br":
        return <br key={i} />;
      case "link":
        // href is http(s) only (safeHref); opened outside the app, without a referrer.
        return (
          <a key={i} href={n.href} target="_blank" rel="noopener noreferrer nofollow">
            {inlines(n.c)}
          </a>
        );
    }
  });
}

function block(b: Block, key: number, headingShift: number): ReactNode {
  switch (b.t) {
    case "front":
      return (
        <dl key={key} className="md-front">
          {b.entries.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      );
    case "heading": {
      // Shifted so a skill's "# Title" does not compete with the page's own heading.
      const level = Math.min(6, b.level + headingShift);
      const Tag = `h${level}` as "h1";
      return <Tag key={key}>{inlines(b.c)}</Tag>;
    }
    case "para":
      return <p key={key}>{inlines(b.c)}</p>;
    case "code":
      return (
        <pre key={key} className="md-code" data-lang={b.lang || undefined}>
          <code>{b.v}</code>
        </pre>
      );
    case "quote":
      return <blockquote key={key}>{blocks(b.c, headingShift)}</blockquote>;
    case "hr":
      return <hr key={key} />;
    case "list": {
      const items = b.items.map((item, i) => (
        // A one-paragraph item renders without <p> (a tight list).
        <li key={i}>{item.length === 1 && item[0].t === "para" ? inlines(item[0].c) : blocks(item, headingShift)}</li>
      ));
      return b.ordered ? (
        <ol key={key} start={b.start === 1 ? undefined : b.start}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      );
    }
    case "table":
      return (
        <div key={key} className="md-table">
          <table>
            <thead>
              <tr>
                {b.head.map((c, i) => (
                  <th key={i}>{inlines(c)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {b.rows.map((r, i) => (
                <tr key={i}>
                  {r.map((c, j) => (
                    <td key={j}>{inlines(c)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
  }
}

function blocks(bs: Block[], headingShift: number): ReactNode[] {
  return bs.map((b, i) => block(b, i, headingShift));
}

/** Renders Markdown as React elements: no HTML is ever injected. */
export function Markdown({ source, headingShift = 1 }: { source: string; headingShift?: number }) {
  return <div className="markdown">{blocks(parseMarkdown(source), headingShift)}</div>;
}
