import { useEffect } from "react";
import type { Backend } from "../backend";
import type { FeedStore } from "../features/monitor/feedStore";
import type { LiveHub } from "../live/hub";

/** Records loaded before following the stream, so the monitor does not open empty. */
const BACKLOG = 1000;

/**
 * Fills the feed with the newest records, then follows the stream from
 * the newest one loaded, so nothing falls between the two.
 */
export function useLiveFeed(backend: Backend, hub: LiveHub, feed: FeedStore, enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    const off = hub.subscribe((batch) => feed.receive(batch));
    backend
      .audit({ limit: BACKLOG })
      .then(
        (page) => {
          // Newest first from the server; the feed keeps seq order.
          feed.ingest([...page.records].reverse());
          return feed.lastSeq ?? 0;
        },
        // Without the backlog, follow from the head.
        () => feed.lastSeq,
      )
      .then((since) => {
        if (!cancelled) hub.start(backend, since);
      });
    return () => {
      cancelled = true;
      off();
      hub.stop();
    };
  }, [backend, hub, feed, enabled]);
}
