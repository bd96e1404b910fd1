import { useEffect, useState } from "react";
import type { Backend } from "../../backend";
import { Empty, ErrorBanner, Loading } from "../../components/Status";
import { useLoad } from "../../components/useLoad";
import { SkillCard } from "./SkillCard";

/** Waits until typing pauses, so each keystroke is not a search. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Search every configured registry; results as cards. */
export function SearchPage({ backend }: { backend: Backend }) {
  const [query, setQuery] = useState("");
  const q = useDebounced(query.trim(), 250);
  const results = useLoad(() => backend.market(q), [backend, q]);
  const skills = results.data ?? [];
  return (
    <>
      <h1 tabIndex={-1}>Marketplace</h1>
      <form role="search" className="search" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="skill-search">Search skills</label>
        <input id="skill-search" type="search" value={query} placeholder="name or description" onChange={(e) => setQuery(e.target.value)} autoComplete="off" />
      </form>
      {results.state === "failed" && <ErrorBanner error={results.error} onRetry={results.reload} />}
      {results.state === "loading" && !results.data && <Loading what="skills" />}
      {results.data && skills.length === 0 && (
        <Empty>{q ? `No skill matches “${q}”.` : "No registry offers any skill yet. Add a registry to ~/.agent/config.toml."}</Empty>
      )}
      <p className="sr-only" role="status" aria-live="polite">
        {results.data ? `${skills.length} skill(s) found` : ""}
      </p>
      <ul className="skill-grid">
        {skills.map((s) => (
          <SkillCard key={`${s.registry}/${s.name}`} skill={s} />
        ))}
      </ul>
    </>
  );
}
