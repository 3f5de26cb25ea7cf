import { execFile } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import {
  buildIfStale as buildAppIfStale,
  generateStaleClients,
  npx,
  PRISMA_OFFLINE_ENV,
  type StepRunner,
} from "../app-build";
import type { DemoPaths } from "./config";
import { DemoError } from "./errors";

const run = promisify(execFile);

/**
 * `npm run setup` for the demo's database, skipping what is already done so a second run takes
 * seconds: a client is generated only when its schema changed since, and `migrate deploy` runs
 * only when the database lacks a committed migration. Returns what it did.
 */
export async function prepareDatabase(paths: DemoPaths): Promise<string[]> {
  const done = await generateStaleClients(paths.root, logger(paths, "setup"), { DATABASE_URL: paths.databaseUrl });
  const pending = pendingMigrations(paths);
  if (pending.length > 0) {
    await prisma(paths, ["migrate", "deploy"]);
    done.push(`applied ${pending.length} migration(s) to ${path.relative(paths.root, paths.databaseFile)}`);
  }
  return done;
}

/** Committed SQLite migrations the demo database has not finished applying. */
function pendingMigrations(paths: DemoPaths): string[] {
  const all = readdirSync(path.join(paths.root, "prisma/migrations"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  if (!existsSync(paths.databaseFile)) return all;
  const db = new Database(paths.databaseFile, { readonly: true, fileMustExist: true });
  try {
    const applied = db
      .prepare(
        "SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
      )
      .all() as Array<{ name: string }>;
    const names = new Set(applied.map((row) => row.name));
    return all.filter((name) => !names.has(name));
  } catch {
    return all; // no migrations table yet
  } finally {
    db.close();
  }
}

/**
 * The Prisma CLI offline, as scripts/prisma-cli.ts runs it (docs/decisions/001), with its output
 * kept in the setup log instead of the demo's screen.
 */
async function prisma(paths: DemoPaths, args: string[]): Promise<void> {
  await logged(paths, "setup", `prisma ${args.join(" ")}`, npx, ["prisma", ...args], {
    DATABASE_URL: paths.databaseUrl,
    ...PRISMA_OFFLINE_ENV,
  });
}

/** Builds the app (`npm run build`) when build/ is missing or older than `app/` (scripts/app-build.ts). */
export function buildIfStale(paths: DemoPaths): Promise<"built" | "fresh"> {
  return buildAppIfStale(paths.root, logger(paths, "build"));
}

/** A step runner whose output goes to the demo's log rather than its screen. */
function logger(paths: DemoPaths, log: string): StepRunner {
  return (what, command, args, env) => logged(paths, log, what, command, args, env);
}

async function logged(
  paths: DemoPaths,
  log: string,
  what: string,
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<void> {
  const logFile = path.join(paths.logs, `${log}.log`);
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd: paths.root,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    writeFileSync(logFile, `$ ${what}\n${stdout}${stderr}\n`, { flag: "a" });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    writeFileSync(logFile, `$ ${what}\n${stdout}${stderr}\n`, { flag: "a" });
    const tail = `${stdout}${stderr}`.trim().split("\n").slice(-15).join("\n");
    throw new DemoError(`\`${what}\` failed (full output in ${logFile}):\n${tail}`);
  }
}
