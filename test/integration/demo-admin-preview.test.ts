import { readdirSync, readFileSync, statSync } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordInstall } from "../../app/lib/shops/registry.server";
import { APP_BRIDGE_URL } from "../../dev/app-bridge-stand-in";
import { createAdminPreviewServer, DEV_PATHS } from "../../scripts/demo/admin-preview-server";
import { isPortFree } from "../../scripts/demo/ports";
import { storeOfflineSession } from "../helpers/admin-session";
import { DESKTOP_USER_AGENT, launchBrowser } from "../helpers/browser";
import { freePort, spawnProcess, type Spawned } from "../helpers/child-process";
import { spawnAppProcess } from "../helpers/stack";
import { createSqliteTestDb, type TestDb } from "../helpers/test-db";
import { TEST_SHOP } from "../helpers/test-env";

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });

describe("the demo's admin preview is development-only", () => {
  it("refuses to start with NODE_ENV=production, and never listens", async () => {
    const port = await freePort();
    const preview = spawnProcess(process.execPath, ["--import", "tsx", "scripts/demo/admin-preview.ts"], {
      NODE_ENV: "production",
      APP_ORIGIN: "http://localhost:3000",
      ADMIN_PREVIEW_PORT: String(port),
      SHOP: TEST_SHOP,
    });

    const { code } = await preview.exited;

    expect(code).toBe(1);
    expect(preview.stderr()).toMatch(/refusing to start with NODE_ENV=production/);
    expect(preview.stdout()).not.toMatch(/admin preview on/);
    expect(await isPortFree(port)).toBe(true);
  });

  it("is not part of the app: no app, worker or server module imports dev code, and the build holds none", () => {
    const sources = [...filesUnder("app"), ...filesUnder("workers"), "server.ts"].filter((f) => /\.tsx?$/.test(f));
    const offenders = sources.filter((file) =>
      /from\s+["'][^"']*(\/dev\/|\/scripts\/)/.test(readFileSync(file, "utf8")),
    );
    expect(offenders).toEqual([]);

    // `npm test` builds first; the browser tests need the build too.
    const built = filesUnder("build").filter((f) => /\.(js|html)$/.test(f));
    expect(built.length).toBeGreaterThan(0);
    const leaks = built.filter((file) => /__affinity-dev|admin-preview/.test(readFileSync(file, "utf8")));
    expect(leaks).toEqual([]);
  });
});

describe("the demo's admin preview, in Chromium", () => {
  let t: TestDb;
  let app: Spawned;
  let preview: Server;
  let browser: Browser;
  let previewOrigin: string;

  beforeAll(async () => {
    t = createSqliteTestDb();
    await storeOfflineSession(t.db, TEST_SHOP);
    await recordInstall(t.db, TEST_SHOP, new Date("2026-01-05T12:00:00Z"));
    const appPort = await freePort();
    app = spawnAppProcess({ PORT: String(appPort), DATABASE_URL: t.url });
    preview = createAdminPreviewServer({
      appOrigin: `http://127.0.0.1:${appPort}`,
      shop: TEST_SHOP,
      apiKey: process.env.SHOPIFY_API_KEY!,
      secret: process.env.SHOPIFY_API_SECRET!,
    });
    const previewPort = await freePort();
    await new Promise<void>((resolve) => preview.listen(previewPort, "127.0.0.1", resolve));
    previewOrigin = `http://127.0.0.1:${previewPort}`;
    await app.waitFor(/Affinity app listening on/);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => preview?.close(resolve));
    await app?.stop();
    await t?.drop();
  });

  it("shows the real embedded admin page in a frame, with App Bridge stood in and nothing fetched from Shopify", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, userAgent: DESKTOP_USER_AGENT });
    const outside: string[] = [];
    await context.route("**/*", async (route) => {
      const url = route.request().url();
      if (url.startsWith(previewOrigin)) return route.continue();
      outside.push(url);
      return route.abort("blockedbyclient");
    });
    const page = await context.newPage();

    await page.goto(`${previewOrigin}/`);

    const frame = page.frameLocator("iframe");
    // A shop that has not finished setting up sees the setup guide on the home page.
    await expect.poll(() => frame.getByRole("heading", { name: "Set up Affinity" }).count()).toBe(1);
    // The only requests for elsewhere are Polaris's web fonts, which fall back to system fonts.
    expect(outside.filter((url) => !url.startsWith("https://cdn.shopify.com/static/fonts/"))).toEqual([]);
    await context.close();
  });

  it("forwards the app's document with only the App Bridge URL and frame-ancestors changed", async () => {
    const page = await fetch(`${previewOrigin}/`).then((r) => r.text());
    const frameSrc = /<iframe src="([^"]+)"/.exec(page)![1]!.replaceAll("&amp;", "&");
    expect(frameSrc).toMatch(/^\/app\?embedded=1&shop=[^&]+&host=[^&]+&id_token=/);

    const response = await fetch(`${previewOrigin}${frameSrc}`, { headers: { "user-agent": DESKTOP_USER_AGENT } });
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toBe("frame-ancestors 'self';");
    expect(html).toContain(`src="${DEV_PATHS.appBridge}"`);
    expect(html).not.toContain(APP_BRIDGE_URL);
    // The app's own page, rendered on the server.
    expect(html).toContain("Set up Affinity");
  });
});
