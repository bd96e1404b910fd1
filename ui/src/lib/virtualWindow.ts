/** The rows of a fixed-row-height list to put in the DOM. */
export interface VirtualWindow {
  /** First row index rendered. */
  start: number;
  /** One past the last row index rendered. */
  end: number;
  /** Pixel offset of row `start`. */
  offset: number;
  /** Height of the whole list. */
  total: number;
}

/**
 * Which rows are visible at `scrollTop` in a viewport of `height` pixels,
 * plus `overscan` rows either side so fast scrolling shows no gaps.
 */
export function virtualWindow(scrollTop: number, height: number, rowHeight: number, count: number, overscan: number): VirtualWindow {
  const total = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, total };
  const top = Math.max(0, Math.min(scrollTop, Math.max(0, total - height)));
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(0, height) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, offset: start * rowHeight, total };
}

/** The scrollTop that shows row `index` in the middle of the viewport. */
export function scrollTopFor(index: number, height: number, rowHeight: number, count: number): number {
  const max = Math.max(0, count * rowHeight - height);
  const centered = index * rowHeight - (height - rowHeight) / 2;
  return Math.max(0, Math.min(max, Math.round(centered)));
}

/** Whether the viewport is (within a row of) the bottom: the feed then follows new rows. */
export function atBottom(scrollTop: number, height: number, scrollHeight: number, rowHeight: number): boolean {
  return scrollHeight - (scrollTop + height) <= rowHeight;
}
