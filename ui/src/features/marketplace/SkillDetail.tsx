import type { Backend } from "../../backend";
import type { SkillPage } from "../../bindings/SkillPage";
import { routeHref } from "../../app/route";
import { Markdown } from "../../components/Markdown";
import { Badge, Empty, ErrorBanner, Loading } from "../../components/Status";
import { useLoad } from "../../components/useLoad";
import type { LiveHub } from "../../live/hub";
import { formatSize } from "./logic";
import { SkillActions } from "./SkillActions";

/** A skill's page: SKILL.md, versions, dependencies, files and the actions. */
export function SkillDetail({ backend, hub, name }: { backend: Backend; hub: LiveHub; name: string }) {
  const page = useLoad(() => backend.skill(name), [backend, name]);
  return (
    <>
      <p>
        <a href={routeHref("marketplace")}>← All skills</a>
      </p>
      <h1 tabIndex={-1}>{name}</h1>
      {page.state === "failed" && <ErrorBanner error={page.error} onRetry={page.reload} />}
      {!page.data && page.state === "loading" && <Loading what={`the page of ${name}`} />}
      {page.data && <SkillBody backend={backend} hub={hub} page={page.data} onChanged={page.reload} />}
    </>
  );
}

function SkillBody({ backend, hub, page, onChanged }: { backend: Backend; hub: LiveHub; page: SkillPage; onChanged: () => void }) {
  return (
    <>
      <p className="lead">{page.description}</p>
      <p>
        <span className="muted">from {page.registry}</span>{" "}
        {page.installed !== null ? <Badge tone="ok">Installed {page.installed}</Badge> : <Badge tone="neutral">Not installed</Badge>}
        {page.agents.length > 0 && <span className="muted"> · reaches {page.agents.join(", ")}</span>}
      </p>
      <SkillActions backend={backend} hub={hub} page={page} onChanged={onChanged} />
      <div className="skill-layout">
        <article className="card" aria-label="SKILL.md">
          {page.skill_md ? <Markdown source={page.skill_md} /> : <Empty>This skill has no SKILL.md to show.</Empty>}
        </article>
        <aside>
          <Versions page={page} />
          <NameList title="Dependencies" items={page.dependencies} none="None." />
          <NameList title="Needed by" items={page.dependents} none="No installed skill needs it." link />
          <NameList title="Files" items={page.files} none="No files listed." code />
        </aside>
      </div>
    </>
  );
}

function Versions({ page }: { page: SkillPage }) {
  return (
    <section>
      <h2>Versions</h2>
      {page.versions.length === 0 ? (
        <Empty>No published version.</Empty>
      ) : (
        <ul className="versions">
          {page.versions.map((v) => (
            <li key={v.version}>
              <strong>{v.version}</strong> {v.version === page.installed && <Badge tone="ok">installed</Badge>} {v.yanked && <Badge tone="fail">withdrawn</Badge>}{" "}
              {v.signed_by ? <Badge tone="info" title={`signed by ${v.signed_by}`}>signed</Badge> : <Badge tone="warn">unsigned</Badge>}{" "}
              <span className="muted">{formatSize(v.size)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NameList({ title, items, none, link = false, code = false }: { title: string; items: string[]; none: string; link?: boolean; code?: boolean }) {
  return (
    <section>
      <h2>{title}</h2>
      {items.length === 0 ? (
        <p className="muted">{none}</p>
      ) : (
        <ul className="names">
          {items.map((i) => (
            <li key={i}>{link ? <a href={routeHref("marketplace", i.split(/[ @]/)[0])}>{i}</a> : code ? <code>{i}</code> : i}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
