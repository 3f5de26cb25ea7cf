import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
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
  // One server for both: it answers a health check, then stops cleanly on SIGTERM. Starting the
  // built server is the costly part (about 20 s each on a loaded CI machine), and a server that
  // has served a request is no easier to stop than an idle one.
  describe("one server, started once", () => {
    let app: Spawned;
    let port: number;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const t = createSqliteTestDb();
      drop = () => t.drop();
      port = await freePort();
      app = spawnAppProcess({ PORT: String(port), DATABASE_URL: t.url });
      await app.waitFor(/Affinity app listening on/);
    });
    afterAll(async () => {
      await app.stop("SIGKILL");
      await drop();
    });

    it("serves its health check from the database", async () => {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true });
    });

    it("stops cleanly on SIGTERM", async () => {
      app.child.kill("SIGTERM");
      expect((await app.exited).code).toBe(0);
    });
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
