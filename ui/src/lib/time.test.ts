import { describe, expect, it } from "vitest";
import { formatAgo, formatDuration } from "./time";

describe("durations", () => {
  it("reads in words at every scale", () => {
    expect(formatDuration(45_000)).toBe("45s");
    expect(formatDuration(185_000)).toBe("3m 05s");
    expect(formatDuration(2 * 3600_000 + 600_000)).toBe("2h 10m");
    expect(formatDuration(-5)).toBe("0s");
    expect(formatAgo(1000, 1500)).toBe("just now");
    expect(formatAgo(0, 12_000)).toBe("12s ago");
  });
});
