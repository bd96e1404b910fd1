import type { FeedFilter } from "./filter";
import { SEVERITY_NAMES } from "./feedItem";

/** Filters of the feed; agent, session and kind suggest values seen so far. */
export function FeedFilters({
  filter,
  onChange,
  agents,
  sessions,
  kinds,
}: {
  filter: FeedFilter;
  onChange: (f: FeedFilter) => void;
  agents: string[];
  sessions: string[];
  kinds: string[];
}) {
  const set = (k: keyof FeedFilter) => (e: { target: { value: string } }) => onChange({ ...filter, [k]: e.target.value });
  return (
    <fieldset className="filters">
      <legend className="sr-only">Filter the feed</legend>
      <label>
        Agent
        <input list="f-agents" value={filter.agent} onChange={set("agent")} placeholder="any" />
      </label>
      <label>
        Session
        <input list="f-sessions" value={filter.session} onChange={set("session")} placeholder="any (prefix)" />
      </label>
      <label>
        Kind
        <input list="f-kinds" value={filter.kind} onChange={set("kind")} placeholder="any" />
      </label>
      <label>
        Severity
        <select value={filter.severity} onChange={set("severity")}>
          <option value="">any</option>
          {SEVERITY_NAMES.map((s) => (
            <option key={s} value={s}>
              {s} or worse
            </option>
          ))}
        </select>
      </label>
      <label className="check">
        <input type="checkbox" checked={filter.violationsOnly} onChange={(e) => onChange({ ...filter, violationsOnly: e.target.checked })} />
        Violations only
      </label>
      <Options id="f-agents" values={agents} />
      <Options id="f-sessions" values={sessions} />
      <Options id="f-kinds" values={kinds} />
    </fieldset>
  );
}

function Options({ id, values }: { id: string; values: string[] }) {
  return (
    <datalist id={id}>
      {values.map((v) => (
        <option key={v} value={v} />
      ))}
    </datalist>
  );
}
