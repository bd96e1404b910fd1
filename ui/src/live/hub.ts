import type { Backend, LiveStatus } from "../backend";
import type { LiveMessage } from "../bindings/LiveMessage";
import { createBatcher, frameOrTimeout, type Schedule } from "./batcher";

export type LiveListener = (batch: LiveMessage[]) => void;

/**
 * The app's one live stream, shared by every screen: listeners get the
 * messages in batches (one per animation frame).
 */
export class LiveHub {
  private listeners = new Set<LiveListener>();
  private statusListeners = new Set<() => void>();
  private statusValue: LiveStatus = { state: "closed" };
  private stopFn: (() => void) | null = null;
  private batcher;

  constructor(schedule: Schedule = frameOrTimeout) {
    this.batcher = createBatcher<LiveMessage>((batch) => this.listeners.forEach((l) => l(batch)), schedule);
  }

  /** Opens the stream after `since` (null: from the head). */
  start(backend: Backend, since: number | null): void {
    this.stop();
    this.stopFn = backend.live(
      since,
      (m) => this.batcher.push(m),
      (s) => {
        this.statusValue = s;
        this.statusListeners.forEach((l) => l());
      },
    );
  }

  stop(): void {
    this.stopFn?.();
    this.stopFn = null;
  }

  subscribe(l: LiveListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** For useSyncExternalStore. */
  subscribeStatus = (l: () => void): (() => void) => {
    this.statusListeners.add(l);
    return () => this.statusListeners.delete(l);
  };

  status = (): LiveStatus => this.statusValue;

  /** Test hook: delivers a message as if it came from the stream. */
  inject(m: LiveMessage): void {
    this.batcher.push(m);
  }
}
