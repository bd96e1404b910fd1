import type { MarketSkill } from "../../bindings/MarketSkill";
import { routeHref } from "../../app/route";
import { Badge } from "../../components/Status";

/** One skill in the results: a link to its page. */
export function SkillCard({ skill }: { skill: MarketSkill }) {
  return (
    <li>
      <a className="skill-card" href={routeHref("marketplace", skill.name)} data-testid={`skill-card-${skill.name}`}>
        <div className="skill-card-head">
          <strong className="skill-name">{skill.name}</strong>
          <span className="muted">v{skill.version}</span>
          {skill.installed !== null && <Badge tone="ok">Installed {skill.installed}</Badge>}
          {skill.outdated && <Badge tone="warn">Update available</Badge>}
        </div>
        <p className="clamp">{skill.description || "No description."}</p>
        <div className="skill-meta muted">
          <span>from {skill.registry}</span>
          {skill.agents.length > 0 && <span> · reaches {skill.agents.join(", ")}</span>}
        </div>
        {skill.warnings.length > 0 && (
          <ul className="warnings">
            {skill.warnings.map((w) => (
              <li key={w}>⚠ {w}</li>
            ))}
          </ul>
        )}
      </a>
    </li>
  );
}
