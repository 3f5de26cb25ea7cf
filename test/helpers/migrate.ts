import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Applies the committed migrations with the real `prisma migrate deploy` (see scripts/setup.ts). */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  await run("npx", ["tsx", "scripts/migrate.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
}
