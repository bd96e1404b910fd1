/** Schedules `fn` once, soon; returns nothing (the batcher guards re-entry). */
export type Schedule = (fn: () => void) => void;

/**
 * Next animation frame, with a timer as a backstop: hidden tabs get no
 * frames, and the stream must not pile up there unbounded.
 */
export const frameOrTimeout: Schedule = (fn) => {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    fn();
  };
  if (typeof requestAnimationFrame === "function") requestAnimationFrame(once);
  setTimeout(once, 250);
};

/**
 * Collects items and hands them over in one batch per schedule tick, so a
 * stream of 1,000 messages/s costs one React update per frame, not 1,000.
 */
export function createBatcher<T>(flush: (batch: T[]) => void, schedule: Schedule = frameOrTimeout) {
  let pending: T[] = [];
  let scheduled = false;
  const run = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length > 0) flush(batch);
  };
  return {
    push(item: T): void {
      pending.push(item);
      if (!scheduled) {
        scheduled = true;
        schedule(run);
      }
    },
    /** Flushes now (tests, shutdown). */
    flush: run,
    get pending(): number {
      return pending.length;
    },
  };
}
