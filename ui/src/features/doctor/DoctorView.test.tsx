import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { DoctorReport } from "../../bindings/DoctorReport";
import { DoctorView } from "./DoctorView";

const broken: DoctorReport = {
  version: "0.1.0",
  home: "/h/.agent",
  healthy: false,
  checks: [{ id: "database", status: "fail", summary: "/h/.agent/uas.db does not exist", fix: "run `uas init`" }],
  agents: [{ agent: "cursor", installed: false, confidence: "none", reasons: [], config_dir: "/h/.cursor" }],
};

describe("DoctorView", () => {
  it("shows the fix for a failed check and a set-up button", () => {
    const html = renderToStaticMarkup(<DoctorView report={broken} onInit={() => {}} busy={false} />);
    expect(html).toContain("Fix: run `uas init`");
    expect(html).toContain("Set up /h/.agent");
    expect(html).toContain("0 of 1 agents found");
  });

  it("disables the button while setting up", () => {
    const html = renderToStaticMarkup(<DoctorView report={broken} onInit={() => {}} busy={true} />);
    expect(html).toMatch(/<button disabled="">Setting up…<\/button>/);
  });
});
