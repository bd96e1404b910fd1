import type { LiveMessage } from "../../bindings/LiveMessage";
import type { Record } from "../../bindings/Record";
import { toFeedItem, type FeedItem } from "./feedItem";
import { isEmptyFilter, matches, NO_FILTER, type FeedFilter } from "./filter";
import { RingBuffer } from "./ring";
import { FeedStats } from "./stats";

export const FEED_CAPACITY = 50_000;
/** How many distinct agents/sessions/kinds the filter suggestions remember. */
const SUGGESTIONS = 500;

/** Remembers recent distinct values, most recent last, bounded. */
class Recent {
  private m = new Map<string, true>();
  add(v: string) {
    if (!v) return;
    this.m.delete(v);
    this.m.set(v, true);
    if (this.m.size > SUGGESTIONS) this.m.delete(this.m.keys().next().value as string);
  }
  values(): string[] {
    return [...this.m.keys()].sort();
  }
}

/**
 * The monitor's memory, outside React so it keeps collecting while another
 * screen is shown: every record (a ring of FEED_CAPACITY), the filtered
 * view of it (also in seq order), and the view's statistics. React reads
 * it through `subscribe`/`version` (useSyncExternalStore).
 */
export class FeedStore {
  private all: RingBuffer<FeedItem>;
  private view: RingBuffer<FeedItem>;
  /** Records that arrived while paused. */
  private held: RingBuffer<FeedItem>;
  readonly stats = new FeedStats();
  private listeners = new Set<() => void>();
  private filterValue: FeedFilter = NO_FILTER;
  private pausedValue = false;
  private versionValue = 0;
  readonly agents = new Recent();
  readonly sessions = new Recent();
  readonly kinds = new Recent();
  /**
   * How many rows have left the front of the view since the start: a
   * reader scrolled up compensates by as many rows, so the rows under
   * their eyes stay put while old ones are dropped.
   */
  viewShifted = 0;
  /** The newest `lagged` notice, until the feed catches up to its head. */
  lagged: { from: number; head: number } | null = null;

  constructor(readonly capacity = FEED_CAPACITY) {
    this.all = new RingBuffer(capacity);
    this.view = new RingBuffer(capacity);
    this.held = new RingBuffer(capacity);
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  version = (): number => this.versionValue;

  get filter(): FeedFilter {
    return this.filterValue;
  }

  get paused(): boolean {
    return this.pausedValue;
  }

  get heldCount(): number {
    return this.held.length;
  }

  get loaded(): number {
    return this.all.length;
  }

  /** The newest seq loaded (or held), null before any record. */
  get lastSeq(): number | null {
    return (this.held.last() ?? this.all.last())?.seq ?? null;
  }

  get viewLength(): number {
    return this.view.length;
  }

  viewAt(i: number): FeedItem | undefined {
    return this.view.get(i);
  }

  /** The view's row index of `seq`, or null when it is not shown. */
  indexOfSeq(seq: number): number | null {
    const i = this.view.lowerBound(seq, (x) => x.seq);
    return this.view.get(i)?.seq === seq ? i : null;
  }

  /** Whether `seq` is loaded (shown or not). */
  holds(seq: number): boolean {
    return this.all.get(this.all.lowerBound(seq, (x) => x.seq))?.seq === seq;
  }

  /** Whether `seq` arrived while paused and waits for Resume. */
  isHeld(seq: number): boolean {
    return this.held.get(this.held.lowerBound(seq, (x) => x.seq))?.seq === seq;
  }

  /** The oldest loaded seq, to explain why a seq cannot be found. */
  oldestSeq(): number | null {
    return this.all.first()?.seq ?? null;
  }

  /** Takes a batch of live messages (records and lag notices). */
  receive(batch: LiveMessage[]): void {
    const records: Record[] = [];
    for (const m of batch) {
      if (m.type === "event") records.push(m.record);
      else if (m.type === "lagged") this.lagged = { from: Number(m.from), head: Number(m.head) };
    }
    this.ingest(records);
  }

  /** Adds records in seq order (older or repeated ones are ignored). */
  ingest(records: Record[]): void {
    if (records.length === 0) return;
    for (const r of records) {
      const it = toFeedItem(r);
      const last = this.lastSeq;
      if (last !== null && it.seq <= last) continue;
      if (this.pausedValue) this.held.push(it);
      else this.append(it);
    }
    if (this.lagged && (this.lastSeq ?? 0) >= this.lagged.head) this.lagged = null;
    this.changed();
  }

  setFilter(f: FeedFilter): void {
    this.filterValue = f;
    this.view.clear();
    this.stats.clear();
    const all = isEmptyFilter(f);
    for (let i = 0; i < this.all.length; i++) {
      const it = this.all.get(i) as FeedItem;
      if (all || matches(it, f)) this.show(it);
    }
    this.changed();
  }

  setPaused(paused: boolean): void {
    if (paused === this.pausedValue) return;
    this.pausedValue = paused;
    if (!paused) {
      for (let it = this.held.shift(); it; it = this.held.shift()) this.append(it);
    }
    this.changed();
  }

  private append(it: FeedItem): void {
    this.agents.add(it.agent);
    this.sessions.add(it.session);
    this.kinds.add(it.kind);
    const evicted = this.all.push(it);
    // The view is a subsequence of `all`, both in seq order: an evicted
    // record still shown is the view's oldest.
    if (evicted && this.view.first() === evicted) {
      this.view.shift();
      this.viewShifted += 1;
      this.stats.remove(evicted);
    }
    if (matches(it, this.filterValue)) this.show(it);
  }

  private show(it: FeedItem): void {
    this.view.push(it);
    this.stats.add(it);
  }

  private changed(): void {
    this.versionValue += 1;
    this.listeners.forEach((l) => l());
  }
}
