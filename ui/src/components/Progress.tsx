import { useEffect, useState } from "react";
import type { LiveHub } from "../live/hub";
import { useLive } from "../live/useLive";

/**
 * While `active`, shows the newest progress message of a long operation
 * (LiveMessage `progress`) whose op starts with `opPrefix`.
 */
export function Progress({ hub, active, opPrefix, label }: { hub: LiveHub; active: boolean; opPrefix: string; label: string }) {
  const [message, setMessage] = useState<string | null>(null);
  // A new operation starts without the last one's message.
  useEffect(() => {
    if (active) setMessage(null);
  }, [active]);
  useLive(hub, (batch) => {
    if (!active) return;
    for (const m of batch) {
      if (m.type === "progress" && m.op.startsWith(opPrefix)) setMessage(m.message);
    }
  });
  if (!active) return null;
  return (
    <p className="progress" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
      {message ? `: ${message}` : "…"}
    </p>
  );
}
