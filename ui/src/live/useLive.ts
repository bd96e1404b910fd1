import { useEffect, useRef, useSyncExternalStore } from "react";
import type { LiveStatus } from "../backend";
import type { LiveMessage } from "../bindings/LiveMessage";
import type { LiveHub } from "./hub";

/** Calls `onBatch` with each batch of live messages while mounted (latest callback wins). */
export function useLive(hub: LiveHub, onBatch: (batch: LiveMessage[]) => void): void {
  const ref = useRef(onBatch);
  ref.current = onBatch;
  useEffect(() => hub.subscribe((b) => ref.current(b)), [hub]);
}

export function useLiveStatus(hub: LiveHub): LiveStatus {
  return useSyncExternalStore(hub.subscribeStatus, hub.status, hub.status);
}
