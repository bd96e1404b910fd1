import { useCallback, useEffect, useRef, useState } from "react";
import type { ErrorDto } from "../bindings/ErrorDto";

export type Load<T> =
  | { state: "loading"; data: T | null }
  | { state: "ready"; data: T }
  | { state: "failed"; error: ErrorDto; data: T | null };

/**
 * Runs `fetcher` on mount and whenever `reload` is called. While
 * reloading, the previous data stays (no flash of "loading…"); an answer
 * that arrives after a newer request started is dropped.
 */
export function useLoad<T>(fetcher: () => Promise<T>, deps: readonly unknown[]): Load<T> & { reload: () => void } {
  const [load, setLoad] = useState<Load<T>>({ state: "loading", data: null });
  const generation = useRef(0);
  // `deps` stand for what `fetcher` closes over (as with useEffect).
  const run = useCallback(fetcher, deps);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    setLoad((l) => (l.state === "ready" ? l : { state: "loading", data: l.data }));
    run().then(
      (data) => {
        if (mine === generation.current) setLoad({ state: "ready", data });
      },
      (error: ErrorDto) => {
        if (mine === generation.current) setLoad((l) => ({ state: "failed", error, data: l.data }));
      },
    );
  }, [run]);
  useEffect(() => {
    reload();
    // A late answer for an unmounted component is dropped.
    return () => {
      generation.current++;
    };
  }, [reload]);
  return { ...load, reload };
}
