import type { LiveStatus } from "../backend";

/** The live stream's state in words (and a colored dot). */
export function liveText(s: LiveStatus): string {
  switch (s.state) {
    case "open":
      return "Live";
    case "connecting":
      return s.attempt === 0 ? "Connecting…" : `Reconnecting (attempt ${s.attempt + 1})…`;
    case "retrying":
      return `Disconnected (${s.reason}); retrying in ${Math.ceil(s.inMs / 1000)}s`;
    case "closed":
      return "Not connected";
  }
}

export function LiveIndicator({ status }: { status: LiveStatus }) {
  return (
    <span className={`live live-${status.state}`} role="status" aria-live="polite" data-testid="live-status">
      <span className="dot" aria-hidden="true" /> {liveText(status)}
    </span>
  );
}
