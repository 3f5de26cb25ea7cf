import { describe, expect, it } from "vitest";
import { createLogger } from "../../app/lib/logger.server";

function capture(level: Parameters<typeof createLogger>[0] = "debug") {
  const lines: string[] = [];
  return { lines, log: createLogger(level, { service: "test" }, (line) => lines.push(line)) };
}

describe("createLogger", () => {
  it("writes one JSON line per event with its fields and base fields", () => {
    const { lines, log } = capture();
    log.child({ shop: "a.myshopify.com" }).info("job.done", { jobId: "7" });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "info",
      event: "job.done",
      service: "test",
      shop: "a.myshopify.com",
      jobId: "7",
    });
  });

  it("never writes tokens, secrets or customer contact details", () => {
    const { lines, log } = capture();
    log.info("oops", { accessToken: "shpat_123", apiSecret: "s", customerEmail: "a@b.c", Authorization: "Bearer x" });
    const line = lines[0]!;
    for (const secret of ["shpat_123", '"s"', "a@b.c", "Bearer x"]) expect(line).not.toContain(secret);
    expect(JSON.parse(line)).toMatchObject({ accessToken: "[redacted]", customerEmail: "[redacted]" });
  });

  it("drops events below its level, and serialises errors without their stack", () => {
    const { lines, log } = capture("warn");
    log.info("hidden");
    log.error("failed", { error: new TypeError("bad") });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).error).toEqual({ name: "TypeError", message: "bad" });
  });
});
