import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * Runs the Prisma CLI offline. With driver adapters and `engine: "js"` no engine binary is used,
 * but the CLI still tries to download one unless these point somewhere (docs/decisions/001).
 */
export function prismaCli(args: string[], databaseUrl: string): void {
  const placeholder = "/dev/null";
  execFileSync(process.platform === "win32" ? "npx.cmd" : "npx", ["prisma", ...args], {
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? placeholder,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? placeholder,
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
  });
}

/** DATABASE_URL as the app would see it: the environment first, then .env, then the default. */
export function configuredDatabaseUrl(): string {
  if (!process.env.DATABASE_URL && existsSync(".env")) process.loadEnvFile(".env");
  return process.env.DATABASE_URL ?? "file:./var/affinity.db";
}
