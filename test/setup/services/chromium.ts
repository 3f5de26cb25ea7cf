import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import type { Problem } from "./problem";

export interface ChromiumSearch {
  env: Record<string, string | undefined>;
  exists: (file: string) => boolean;
  /** Folder names under `dir`, [] when it does not exist. */
  list: (dir: string) => string[];
  /** Where playwright-core keeps its own browser (it may not have been downloaded). */
  playwrightPath: () => string | null;
  home: string;
}

export type ChromiumFound = { path: string; source: string };

/**
 * Every place a Chromium may be, best first: the one asked for, the system's (Debian's package,
 * the Ubuntu name), then browsers an npm package downloaded: Playwright's own, Puppeteer's.
 */
export function chromiumCandidates(search: ChromiumSearch): ChromiumFound[] {
  const candidates: ChromiumFound[] = [];
  const asked = search.env.CHROMIUM_PATH;
  if (asked) candidates.push({ path: asked, source: "CHROMIUM_PATH" });
  for (const system of ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium"])
    candidates.push({ path: system, source: "the system's Chromium" });
  const playwright = search.playwrightPath();
  if (playwright) candidates.push({ path: playwright, source: "Playwright's browser cache" });
  const puppeteer = path.join(search.env.PUPPETEER_CACHE_DIR ?? path.join(search.home, ".cache/puppeteer"), "chrome");
  for (const version of search.list(puppeteer).sort().reverse())
    candidates.push({
      path: path.join(puppeteer, version, "chrome-linux64/chrome"),
      source: "Puppeteer's browser cache",
    });
  return candidates;
}

/**
 * The first Chromium that exists. CHROMIUM_PATH, when set, must be right: a wrong path is a
 * mistake to report, not a reason to test with some other browser.
 */
export function findChromium(search: ChromiumSearch): ChromiumFound | Problem {
  const asked = search.env.CHROMIUM_PATH;
  if (asked && !search.exists(asked))
    return {
      part: "Chromium",
      detail: `CHROMIUM_PATH is ${asked}, which does not exist`,
      fix: "point CHROMIUM_PATH at a Chromium, or unset it",
    };
  const found = chromiumCandidates(search).find((c) => search.exists(c.path));
  return (
    found ?? {
      part: "Chromium",
      detail:
        "no browser found (CHROMIUM_PATH, /usr/bin/chromium, chromium-browser, Playwright's or Puppeteer's cache)",
      fix: "sudo apt-get install chromium (or npx playwright-core install chromium, or set CHROMIUM_PATH)",
    }
  );
}

/** The search on this machine. */
export async function machineSearch(env: Record<string, string | undefined> = process.env): Promise<ChromiumSearch> {
  const { chromium } = await import("playwright-core");
  return {
    env,
    exists: existsSync,
    list: (dir) => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    },
    playwrightPath: () => {
      try {
        return chromium.executablePath();
      } catch {
        return null;
      }
    },
    home: homedir(),
  };
}
