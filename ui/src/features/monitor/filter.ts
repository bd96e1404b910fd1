import { severityRank, type FeedItem } from "./feedItem";

/** What the feed shows; empty strings mean "any". */
export interface FeedFilter {
  agent: string;
  session: string;
  kind: string;
  /** Minimum severity. */
  severity: string;
  violationsOnly: boolean;
}

export const NO_FILTER: FeedFilter = { agent: "", session: "", kind: "", severity: "", violationsOnly: false };

export function isEmptyFilter(f: FeedFilter): boolean {
  return !f.agent && !f.session && !f.kind && !f.severity && !f.violationsOnly;
}

/**
 * Agent and kind match exactly; the session matches by prefix (ids are
 * long, people type the start); severity is a minimum.
 */
export function matches(item: FeedItem, f: FeedFilter): boolean {
  if (f.agent && item.agent !== f.agent) return false;
  if (f.kind && item.kind !== f.kind) return false;
  if (f.session && !item.session.startsWith(f.session)) return false;
  if (f.severity && severityRank(item.severity) < severityRank(f.severity)) return false;
  if (f.violationsOnly && !item.violation) return false;
  return true;
}
