import type { ReactNode } from "react";
import type { ErrorDto } from "../bindings/ErrorDto";

/** Something is loading, in words. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** An error with its code, and a retry when one makes sense. */
export function ErrorBanner({ error, onRetry }: { error: ErrorDto; onRetry?: () => void }) {
  return (
    <div className="banner fail" role="alert">
      <span>{error.message}</span> <span className="code">({error.code})</span>
      {onRetry && (
        <button type="button" className="secondary small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Nothing to show, and why. */
export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A small colored label. */
export function Badge({ tone, children, title }: { tone: "ok" | "warn" | "fail" | "info" | "neutral"; children: ReactNode; title?: string }) {
  return (
    <span className={`badge ${tone}`} title={title}>
      {children}
    </span>
  );
}
