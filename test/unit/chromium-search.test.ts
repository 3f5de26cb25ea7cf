import { describe, expect, it } from "vitest";
import { chromiumCandidates, findChromium, type ChromiumSearch } from "../../test/setup/services/chromium";

const PLAYWRIGHT = "/home/dev/.cache/ms-playwright/chromium-1200/chrome-linux64/chrome";
const PUPPETEER = "/home/dev/.cache/puppeteer/chrome/linux-140.0.1/chrome-linux64/chrome";

/** A machine with exactly these files. */
function machine(files: string[], env: Record<string, string> = {}): ChromiumSearch {
  return {
    env,
    exists: (file) => files.includes(file),
    list: (dir) => (dir === "/home/dev/.cache/puppeteer/chrome" ? ["linux-139.0.0", "linux-140.0.1"] : []),
    playwrightPath: () => PLAYWRIGHT,
    home: "/home/dev",
  };
}

describe("where the tests look for Chromium", () => {
  it("in order: CHROMIUM_PATH, the system's, Playwright's cache, then Puppeteer's newest", () => {
    const order = chromiumCandidates(machine([], { CHROMIUM_PATH: "/opt/chrome" })).map((c) => c.path);
    expect(order).toEqual([
      "/opt/chrome",
      "/usr/bin/chromium",
      "/usr/bin/chromium-browser",
      "/snap/bin/chromium",
      PLAYWRIGHT,
      PUPPETEER,
      "/home/dev/.cache/puppeteer/chrome/linux-139.0.0/chrome-linux64/chrome",
    ]);
  });

  it("takes the first that exists", () => {
    expect(findChromium(machine(["/usr/bin/chromium", PLAYWRIGHT], { CHROMIUM_PATH: "/opt/chrome" }))).toEqual({
      part: "Chromium",
      detail: "CHROMIUM_PATH is /opt/chrome, which does not exist",
      fix: "point CHROMIUM_PATH at a Chromium, or unset it",
    });
    expect(findChromium(machine(["/opt/chrome", "/usr/bin/chromium"], { CHROMIUM_PATH: "/opt/chrome" }))).toEqual({
      path: "/opt/chrome",
      source: "CHROMIUM_PATH",
    });
    expect(findChromium(machine(["/usr/bin/chromium-browser", PLAYWRIGHT]))).toEqual({
      path: "/usr/bin/chromium-browser",
      source: "the system's Chromium",
    });
    expect(findChromium(machine([PLAYWRIGHT, PUPPETEER]))).toEqual({
      path: PLAYWRIGHT,
      source: "Playwright's browser cache",
    });
    expect(findChromium(machine([PUPPETEER]))).toEqual({ path: PUPPETEER, source: "Puppeteer's browser cache" });
  });

  it("with none anywhere, names the commands that install one", () => {
    const problem = findChromium(machine([]));
    expect(problem).toMatchObject({ part: "Chromium" });
    expect("fix" in problem && problem.fix).toContain("apt-get install chromium");
    expect("fix" in problem && problem.fix).toContain("npx playwright-core install chromium");
  });
});
