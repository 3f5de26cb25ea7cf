import { rmSync, mkdirSync } from "node:fs";
import { migrateDatabase } from "../helpers/migrate";
import { TEST_ENV } from "../helpers/test-env";
import { provideServices, ServicesMissing } from "./services";
import { describeProblems } from "./services/problem";

/** The migrated SQLite file each test copies, so a test gets a fresh database in milliseconds. */
export const SQLITE_TEMPLATE = "var/test/template.db";

export default async function setup() {
  // Redis, PostgreSQL and Chromium: used where they run, started when they can be, or named.
  const services = await provideServices({
    redisUrl: TEST_ENV.REDIS_URL!,
    postgresUrl: TEST_ENV.POSTGRES_TEST_URL!,
  }).catch((error: unknown) => {
    if (!(error instanceof ServicesMissing)) throw error;
    // One message and a failed run: no test runs half-equipped, none is skipped silently.
    process.stderr.write(describeProblems(error.problems) + "\n");
    return process.exit(1);
  });
  // Test processes are forked after global set-up, with this environment.
  process.env.CHROMIUM_PATH = services.chromiumPath;
  for (const line of services.descriptions) process.stdout.write(`test services: ${line}\n`);

  rmSync("var/test", { recursive: true, force: true });
  mkdirSync("var/test", { recursive: true });
  mkdirSync("test-output", { recursive: true });
  await migrateDatabase(`file:./${SQLITE_TEMPLATE}`);
  return () => services.stop();
}
