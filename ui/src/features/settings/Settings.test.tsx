import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { DesktopBackend } from "../../backend";
import type { DesktopSettings } from "../../bindings/DesktopSettings";
import { setToggle } from "./logic";
import { SettingsPanel, SettingsView } from "./SettingsView";

const SETTINGS: DesktopSettings = {
  start_at_login: false,
  autostart_entry: null,
  do_not_disturb: false,
  secrets: "In the Secret Service keyring (GNOME Keyring).",
  secrets_in_keyring: true,
  duties: "This app runs the approvals and alerts.",
};

/** A desktop that remembers what it was told, like the app does. */
function fakeDesktop(start: DesktopSettings = SETTINGS) {
  const calls: string[] = [];
  let s = { ...start };
  const desktop: DesktopBackend = {
    settings: async () => s,
    setStartAtLogin: async (on) => {
      calls.push(`start_at_login=${on}`);
      s = { ...s, start_at_login: on, autostart_entry: on ? "/home/ann/.config/autostart/universal-agent.desktop" : null };
      return s;
    },
    setDoNotDisturb: async (on) => {
      calls.push(`do_not_disturb=${on}`);
      s = { ...s, do_not_disturb: on };
      return s;
    },
  };
  return { desktop, calls };
}

describe("Settings", () => {
  it("sends each switch to its own setter and answers the new state", async () => {
    const { desktop, calls } = fakeDesktop();
    const on = await setToggle(desktop, "start_at_login", true);
    expect(on.start_at_login).toBe(true);
    expect(on.autostart_entry).toContain("autostart");
    const dnd = await setToggle(desktop, "do_not_disturb", true);
    expect(dnd.do_not_disturb).toBe(true);
    await setToggle(desktop, "start_at_login", false);
    expect(calls).toEqual(["start_at_login=true", "do_not_disturb=true", "start_at_login=false"]);
  });

  it("says the settings belong to the desktop app when there is none", () => {
    expect(renderToStaticMarkup(<SettingsView desktop={undefined} />)).toContain("These settings belong to the desktop app.");
  });

  it("loads before showing the switches", () => {
    // Server rendering runs no effects: the settings are still loading.
    const html = renderToStaticMarkup(<SettingsView desktop={fakeDesktop().desktop} />);
    expect(html).toContain("Loading the settings");
  });
});

/** The `<input …/>` tag of the switch `testId`. */
const input = (html: string, testId: string) => new RegExp(`<input[^>]*data-testid="${testId}"[^>]*/>`).exec(html)?.[0] ?? "";

describe("Settings panel", () => {
  const panel = (over: Partial<DesktopSettings> = {}, pending: Parameters<typeof SettingsPanel>[0]["pending"] = null) =>
    renderToStaticMarkup(<SettingsPanel settings={{ ...SETTINGS, ...over }} pending={pending} error={null} onChange={() => {}} />);

  it("shows two labelled switches in their state", () => {
    const html = panel({ do_not_disturb: true });
    const start = input(html, "start-at-login");
    expect(start).toContain('type="checkbox" role="switch"');
    expect(start).toContain('id="start-at-login"');
    expect(start).not.toContain("checked");
    expect(input(html, "do-not-disturb")).toContain('checked=""');
    expect(html).toContain('<label for="start-at-login">Start at login</label>');
    expect(html).toContain('<label for="do-not-disturb">Do not disturb</label>');
    expect(html).not.toContain("autostart-entry");
  });

  it("names the autostart entry when start at login is on", () => {
    const html = panel({ start_at_login: true, autostart_entry: "/home/ann/.config/autostart/universal-agent.desktop" });
    expect(input(html, "start-at-login")).toContain('checked=""');
    expect(html).toContain('<code data-testid="autostart-entry">/home/ann/.config/autostart/universal-agent.desktop</code>');
  });

  it("shows a change under way, with both switches held", () => {
    const html = panel({}, { which: "start_at_login", on: true });
    expect(input(html, "start-at-login")).toMatch(/disabled="".*checked=""/);
    expect(input(html, "do-not-disturb")).toContain('disabled=""');
    expect(input(html, "do-not-disturb")).not.toContain("checked");
  });

  it("shows an error in the error style", () => {
    const html = renderToStaticMarkup(
      <SettingsPanel settings={SETTINGS} pending={null} error={{ code: "autostart", message: "cannot write the autostart entry" }} onChange={() => {}} />,
    );
    expect(html).toContain('<div class="banner fail" role="alert"><span>cannot write the autostart entry</span> <span class="code">(autostart)</span>');
  });

  it("says where secrets live, warning when no keyring holds them", () => {
    const kept = panel();
    expect(kept).toContain("In the Secret Service keyring (GNOME Keyring).");
    expect(kept).not.toContain("badge warn");
    const file = panel({ secrets: "In ~/.uas/secrets (a file, mode 600).", secrets_in_keyring: false });
    expect(file).toContain('<span class="badge warn" title="No OS keyring answered">not in a keyring</span>');
    expect(file).toContain("In ~/.uas/secrets (a file, mode 600).");
  });

  it("says who runs the duties", () => {
    expect(panel()).toMatch(/<h2 id="service-h">Service<\/h2><p data-testid="duties">This app runs the approvals and alerts.<\/p>/);
  });
});
