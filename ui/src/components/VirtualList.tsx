import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { atBottom, scrollTopFor, virtualWindow } from "../lib/virtualWindow";

// Layout effects keep scrolling in step with rows before paint; on the
// server (tests) there is no layout, so a plain effect avoids React's warning.
const useLayout = typeof window === "undefined" ? useEffect : useLayoutEffect;

/**
 * A list of `count` fixed-height rows of which only those in view (plus
 * `overscan`) are in the DOM, so 50,000 rows cost what 50 do.
 * - `follow`: keep the newest (last) row in view as rows are added.
 * - `scrollTo`: a row index to bring to the middle (a new object each time).
 * - `shifted`: a count of rows removed from the front so far; when not
 *   following, the view moves up by as many rows to stay on the same rows.
 * - Arrow keys, Page Up/Down, Home and End move `selected`.
 */
export function VirtualList({
  count,
  rowHeight,
  overscan = 12,
  renderRow,
  follow,
  onFollowChange,
  scrollTo,
  shifted = 0,
  selected,
  onSelect,
  label,
}: {
  count: number;
  rowHeight: number;
  overscan?: number;
  renderRow: (index: number) => ReactNode;
  follow: boolean;
  onFollowChange: (follow: boolean) => void;
  scrollTo: { index: number } | null;
  shifted?: number;
  selected: number | null;
  onSelect: (index: number) => void;
  label: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(480);
  // Scrolls we cause must not read as the user leaving the bottom.
  const programmatic = useRef(false);

  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  const setTop = (top: number) => {
    const el = ref.current;
    if (!el || Math.abs(el.scrollTop - top) < 1) return;
    const before = el.scrollTop;
    programmatic.current = true;
    el.scrollTop = top;
    // Clamped to where it was: no scroll event will come to clear the flag.
    if (el.scrollTop === before) programmatic.current = false;
    setScrollTop(el.scrollTop);
  };

  useLayout(() => {
    if (follow) setTop(Math.max(0, count * rowHeight - height));
  }, [follow, count, rowHeight, height]);

  const lastShifted = useRef(shifted);
  useLayout(() => {
    const d = shifted - lastShifted.current;
    lastShifted.current = shifted;
    const el = ref.current;
    if (d > 0 && !follow && el) setTop(Math.max(0, el.scrollTop - d * rowHeight));
  }, [shifted]);

  useLayout(() => {
    if (scrollTo) setTop(scrollTopFor(scrollTo.index, height, rowHeight, count));
    // Only a new request scrolls; later growth of the list must not.
  }, [scrollTo]);

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    if (programmatic.current) {
      programmatic.current = false;
      return;
    }
    const bottom = atBottom(el.scrollTop, el.clientHeight, el.scrollHeight, rowHeight);
    if (bottom !== follow) onFollowChange(bottom);
  };

  const move = (index: number) => {
    if (count === 0) return;
    const i = Math.max(0, Math.min(count - 1, index));
    onSelect(i);
    onFollowChange(false);
    const el = ref.current;
    if (!el) return;
    // Keep the selected row visible.
    const top = i * rowHeight;
    if (top < el.scrollTop) setTop(top);
    else if (top + rowHeight > el.scrollTop + el.clientHeight) setTop(top + rowHeight - el.clientHeight);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const cur = selected ?? Math.floor(scrollTop / rowHeight);
    const to = { ArrowDown: cur + 1, ArrowUp: cur - 1, PageDown: cur + page, PageUp: cur - page, Home: 0, End: count - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    move(to);
  };

  const w = virtualWindow(scrollTop, height, rowHeight, count, overscan);
  const rows: ReactNode[] = [];
  for (let i = w.start; i < w.end; i++) rows.push(renderRow(i));
  return (
    <div ref={ref} className="vlist" tabIndex={0} role="list" aria-label={label} onScroll={onScroll} onKeyDown={onKeyDown}>
      <div style={{ height: w.total, position: "relative" }}>
        <div style={{ transform: `translateY(${w.offset}px)` }}>{rows}</div>
      </div>
    </div>
  );
}
