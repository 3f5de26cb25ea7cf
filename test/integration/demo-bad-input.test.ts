import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { choosePort, isPortFree } from "../../scripts/demo/ports";
import { spawnProcess } from "../helpers/child-process";

/** The demo as a person runs it, stopped early by bad input: each gets one clear message. */
async function runDemo(args: string[]) {
  const demo = spawnProcess(process.execPath, ["--import", "tsx", "scripts/demo/main.ts", ...args], {});
  const { code } = await demo.exited;
  return { code, out: demo.stdout(), err: demo.stderr() };
}

describe("npm run demo, given bad input", () => {
  let scratch: string;
  let holder: Server;
  let busyPort: number;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "affinity-demo-"));
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, resolve));
    busyPort = (holder.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => holder.close(resolve));
    rmSync(scratch, { recursive: true, force: true });
  });

  it("given a --port another program listens on, says which port is busy and starts nothing", async () => {
    const dir = path.join(scratch, "busy");
    const { code, out } = await runDemo(["--exit", "--dir", dir, "--port", String(busyPort)]);

    expect(code).toBe(1);
    expect(out).toContain(`Port ${busyPort} (asked for with --port, for the app) is busy`);
    expect(out).toMatch(/steps\s+0 succeeded, 1 failed/);
    expect(readdirSync(path.join(dir, "pids"))).toEqual([]);
  });

  it("given its default port busy, takes a free one and says so", async () => {
    const chosen = await choosePort("app", "--port", undefined, busyPort);

    expect(chosen.port).not.toBe(busyPort);
    expect(await isPortFree(chosen.port)).toBe(true);
    expect(chosen.note).toBe(`port ${busyPort} is busy, so the app uses port ${chosen.port}`);
  });

  it("given a folder it cannot write to, says so and what to do", async () => {
    const file = path.join(scratch, "a-file");
    writeFileSync(file, "not a folder");
    const { code, out } = await runDemo(["--exit", "--dir", path.join(file, "demo")]);

    expect(code).toBe(1);
    expect(out).toContain(`Cannot write to ${path.join(file, "demo")}`);
    expect(out).toContain("--dir <a folder you can write to>");
  });

  it("given an unknown slice, shows the usage and exits 2", async () => {
    const { code, err } = await runDemo(["--slice", "huge"]);

    expect(code).toBe(2);
    expect(err).toMatch(/--slice: Invalid option/);
    expect(err).toContain("Usage: npm run demo");
  });
});
