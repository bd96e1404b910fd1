import { describe, expect, it, vi } from "vitest";
import { httpBackend } from "./http";
import { tauriBackend, toErrorDto } from "./tauri";

const invoked: { cmd: string; args: unknown }[] = [];
vi.mock("@tauri-apps/api/core", () => ({
  invoke: async (cmd: string, args?: unknown) => {
    invoked.push({ cmd, args });
    if (cmd === "set_do_not_disturb") throw { code: "notify", message: "no notification daemon" };
    return { start_at_login: true };
  },
}));

describe("toErrorDto", () => {
  it("keeps a {code, message} error from a command", () => {
    expect(toErrorDto({ code: "config_invalid", message: "bad" })).toEqual({ code: "config_invalid", message: "bad" });
  });
  it("wraps anything else as an ipc_error", () => {
    expect(toErrorDto(new Error("boom"))).toEqual({ code: "ipc_error", message: "boom" });
    expect(toErrorDto("x")).toEqual({ code: "ipc_error", message: "x" });
  });
});

describe("desktop settings", () => {
  it("are the desktop app's commands", async () => {
    const desktop = tauriBackend().desktop;
    expect(desktop).toBeDefined();
    await desktop?.settings();
    await desktop?.setStartAtLogin(true);
    await expect(desktop?.setDoNotDisturb(false)).rejects.toEqual({ code: "notify", message: "no notification daemon" });
    expect(invoked).toEqual([
      { cmd: "desktop_settings", args: undefined },
      { cmd: "set_start_at_login", args: { on: true } },
      { cmd: "set_do_not_disturb", args: { on: false } },
    ]);
  });

  it("are not there over HTTP", () => {
    expect(httpBackend({ origin: "", token: "t", fetch: (() => Promise.reject(new Error("no"))) as unknown as typeof fetch }).desktop).toBeUndefined();
  });
});
