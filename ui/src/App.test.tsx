import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { AuthScreen } from "./app/AuthScreen";
import { fakeBackend } from "./test/fakeBackend";

describe("App", () => {
  it("renders the sidebar with every screen and the setup screen by default", () => {
    const html = renderToStaticMarkup(<App backend={fakeBackend()} />);
    for (const id of ["setup", "marketplace", "monitor", "approvals", "sop", "health"]) expect(html).toContain(`data-testid="nav-${id}"`);
    expect(html).toContain("Universal Agent");
    expect(html).toMatch(/aria-current="page"[^>]*data-testid="nav-setup"/);
    expect(html).toContain("Loading your agents");
    // Settings are the desktop app's: not over HTTP.
    expect(html).not.toContain('data-testid="nav-settings"');
  });

  it("lists Settings when the backend is the desktop app", () => {
    const desktop = { settings: () => new Promise<never>(() => {}), setStartAtLogin: () => new Promise<never>(() => {}), setDoNotDisturb: () => new Promise<never>(() => {}) };
    const html = renderToStaticMarkup(<App backend={fakeBackend({ desktop })} />);
    expect(html).toMatch(/href="#\/settings"[^>]*data-testid="nav-settings">Settings</);
  });

  it("explains how to get a token", () => {
    expect(renderToStaticMarkup(<AuthScreen />)).toContain("Open the address <code>uas serve</code> printed (it carries the access token)");
  });
});
