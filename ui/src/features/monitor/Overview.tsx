import { EventsChart } from "./EventsChart";
import type { FeedStore } from "./feedStore";
import { perMinuteSeries, topCounts, type Compliance } from "./stats";
import { useNow } from "./useNow";
import { ViolationsChart } from "./ViolationsChart";

const MINUTES = 30;

export function complianceText(c: Compliance): string {
  if (c.rate === null) return "No tool calls yet";
  return `${(c.rate * 100).toFixed(1)}%`;
}

/**
 * Compliance and the two charts, over the events shown. Redrawn once a
 * second, not per event: a chart need not move at 1,000 events/s.
 */
export function Overview({ feed }: { feed: FeedStore }) {
  const now = useNow(1000);
  const c = feed.stats.compliance();
  return (
    <div className="overview">
      <div className="card stat">
        <div className="stat-label">Compliance</div>
        <div className={`stat-value ${c.rate !== null && c.rate < 0.9 ? "bad" : ""}`} data-testid="compliance">
          {complianceText(c)}
        </div>
        <div className="muted">
          {c.total === 0 ? "allowed ÷ all tool calls" : `${c.allowed.toLocaleString()} of ${c.total.toLocaleString()} tool calls allowed`}
        </div>
      </div>
      <div className="card">
        <EventsChart series={perMinuteSeries(feed.stats.perMinute, now, MINUTES)} />
      </div>
      <div className="card">
        <ViolationsChart rules={topCounts(feed.stats.violationsByRule, 8)} />
      </div>
    </div>
  );
}
