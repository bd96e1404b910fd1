/** A round axis maximum at or above `n`: 1, 2 or 5 times a power of ten. */
export function niceMax(n: number): number {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Vertical bars filling `width`×`height`, scaled to `max`, with `gap` pixels between. */
export function columnBars(values: number[], width: number, height: number, max: number, gap = 1): Bar[] {
  if (values.length === 0) return [];
  const slot = width / values.length;
  return values.map((v, i) => {
    const h = max > 0 ? (Math.min(v, max) / max) * height : 0;
    return { x: i * slot, y: height - h, width: Math.max(1, slot - gap), height: h };
  });
}
