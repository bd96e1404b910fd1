import { useEffect, useId, useRef, type ReactNode } from "react";

/**
 * An inline confirmation saying what will happen. Cancel gets the focus,
 * so a stray Enter does not do the risky thing; Escape cancels.
 */
export function Confirm({
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  danger = false,
  busy = false,
  testId,
  cancelTestId,
}: {
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  danger?: boolean;
  busy?: boolean;
  testId?: string;
  cancelTestId?: string;
}) {
  const cancel = useRef<HTMLButtonElement>(null);
  const text = useId();
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div className="confirm" role="alertdialog" aria-label={confirmLabel} aria-describedby={text} onKeyDown={(e) => e.key === "Escape" && onCancel()}>
      <div className="confirm-text" id={text}>{children}</div>
      <div className="actions">
        <button type="button" className={danger ? "danger" : undefined} onClick={onConfirm} disabled={busy} data-testid={testId}>
          {confirmLabel}
        </button>
        <button type="button" className="secondary" ref={cancel} onClick={onCancel} disabled={busy} data-testid={cancelTestId}>
          Cancel
        </button>
      </div>
    </div>
  );
}
