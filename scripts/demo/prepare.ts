import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import type { DemoPaths } from "./config";
import { DemoError } from "./errors";

const run = promisify(execFile);
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

/** Each schema and the copy `prisma generate` leaves beside the client it generated from it. */
const CLIENTS = [
  { schema: "prisma/schema.prisma", generated: "node_modules/.prisma/client/schema.prisma" },
  { schema: "prisma/postgres/schema.prisma", generated: "prisma/generated/postgres/schema.prisma" },
];

/**
 * `npm run setup` for the demo's database, skipping what is already done so a second run takes
 * seconds: a client is generated only when its schema changed since, and `migrate deploy` runs
 * only when the database lacks a committed migration. Returns what it did.
 */
export async function prepareDatabase(paths: DemoPaths): Promise<string[]> {
  const done: string[] = [];
  for (const client of CLIENTS) {
    if (sameFile(path.join(paths.root, client.schema), path.join(paths.root, client.generated))) continue;
    await prisma(paths, ["generate", "--schema", client.schema]);
    done.push(`generated the Prisma client for ${client.schema}`);
  }
  const pending = pendingMigrations(paths);
  if (pending.length > 0) {
    await prisma(paths, ["migrate", "deploy"]);
    done.push(`applied ${pending.length} migration(s) to ${path.relative(paths.root, paths.databaseFile)}`);
  }
  return done;
}

function sameFile(a: string, b: string): boolean {
  return existsSync(b) && readFileSync(a).equals(readFileSync(b));
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
    PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? "/dev/null",
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? "/dev/null",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  });
}

/** What the app build depends on; a build older than any of them is rebuilt. */
const BUILD_INPUTS = ["app", "vite.config.ts", "tsconfig.json", "package-lock.json"];
const BUILD_OUTPUT = "build/server/index.js";

/** Builds the app (`npm run build`) when build/ is missing or older than its sources. */
export async function buildIfStale(paths: DemoPaths): Promise<"built" | "fresh"> {
  const output = path.join(paths.root, BUILD_OUTPUT);
  if (existsSync(output) && statSync(output).mtimeMs >= newestSource(paths.root)) return "fresh";
  await logged(paths, "build", "npm run build", npx, ["remix", "vite:build"], { NODE_ENV: "production" });
  return "built";
}

function newestSource(root: string): number {
  let newest = 0;
  const visit = (file: string) => {
    if (!existsSync(file)) return;
    const stat = statSync(file);
    if (stat.isDirectory()) for (const entry of readdirSync(file)) visit(path.join(file, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const input of BUILD_INPUTS) visit(path.join(root, input));
  return newest;
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
