import { describe, expect, it } from "vitest";
import { toErrorDto } from "./tauri";

describe("toErrorDto", () => {
  it("keeps a {code, message} error from a command", () => {
    expect(toErrorDto({ code: "config_invalid", message: "bad" })).toEqual({ code: "config_invalid", message: "bad" });
  });
  it("wraps anything else as an ipc_error", () => {
    expect(toErrorDto(new Error("boom"))).toEqual({ code: "ipc_error", message: "boom" });
    expect(toErrorDto("x")).toEqual({ code: "ipc_error", message: "x" });
  });
});
