import type { Backend } from "../../backend";
import type { LiveHub } from "../../live/hub";
import { SearchPage } from "./SearchPage";
import { SkillDetail } from "./SkillDetail";

/** `#/marketplace` searches; `#/marketplace/<name>` is a skill's page (`#/skills` works too). */
export function MarketplaceView({ backend, hub, skill }: { backend: Backend; hub: LiveHub; skill: string | null }) {
  return skill ? <SkillDetail key={skill} backend={backend} hub={hub} name={skill} /> : <SearchPage backend={backend} />;
}
