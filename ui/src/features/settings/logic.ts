import type { DesktopBackend } from "../../backend";
import type { DesktopSettings } from "../../bindings/DesktopSettings";

/** The settings the screen switches on and off. */
export type Toggle = "start_at_login" | "do_not_disturb";

/** Turns one setting on or off; answers the app's state after the change. */
export function setToggle(desktop: DesktopBackend, which: Toggle, on: boolean): Promise<DesktopSettings> {
  return which === "start_at_login" ? desktop.setStartAtLogin(on) : desktop.setDoNotDisturb(on);
}
