import { useCallback, useEffect, useState } from "react";
import type { Backend } from "../backend";
import { touchesApprovals } from "../features/approvals/logic";
import type { LiveHub } from "../live/hub";
import { useLive } from "../live/useLive";

/** How many approval requests wait (for the sidebar), or null when unknown. */
export function usePendingApprovals(backend: Backend, hub: LiveHub, enabled: boolean): number | null {
  const [n, setN] = useState<number | null>(null);
  const load = useCallback(() => {
    if (!enabled) return;
    backend.approvals().then(
      (v) => setN(v.pending.length),
      () => setN(null),
    );
  }, [backend, enabled]);
  useEffect(load, [load]);
  useLive(hub, (batch) => touchesApprovals(batch) && load());
  return n;
}
