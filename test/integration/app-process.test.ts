import { afterEach, describe, expect, it } from "vitest";
import { freePort, type Spawned } from "../helpers/child-process";
import { spawnAppProcess } from "../helpers/stack";
import { createSqliteTestDb } from "../helpers/test-db";

// `npm run build` runs before the suite (see package.json), so this is the production server.
const started: Spawned[] = [];
afterEach(async () => {
  for (const proc of started.splice(0)) await proc.stop("SIGKILL");
});

function startApp(env: Record<string, string>): Spawned {
  const app = spawnAppProcess(env);
  started.push(app);
  return app;
}

describe("npm start (the built app server)", () => {
  it("stops cleanly on SIGTERM", async () => {
    const t = createSqliteTestDb();
    const app = startApp({ PORT: String(await freePort()), DATABASE_URL: t.url });
    await app.waitFor(/Affinity app listening on/);
    app.child.kill("SIGTERM");
    expect((await app.exited).code).toBe(0);
    await t.drop();
  });

  it("serves its health check from the database", async () => {
    const t = createSqliteTestDb();
    const port = await freePort();
    const app = startApp({ PORT: String(port), DATABASE_URL: t.url });
    await app.waitFor(/Affinity app listening on/);
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    await t.drop();
  });

  it("refuses to start with an invalid variable, naming it", async () => {
    const app = startApp({ PORT: String(await freePort()), SHOPIFY_APP_URL: "not-a-url" });
    const { code } = await app.exited;
    expect(code).not.toBe(0);
    expect(app.stderr()).toContain("Invalid configuration");
    expect(app.stderr()).toContain("SHOPIFY_APP_URL");
    expect(app.stderr()).not.toMatch(/\n\s+at /);
  });
});
