/**
 * Bringing a checkout up to date before running the app from it, shared by the demo and the
 * benchmarks: generate a Prisma client whose schema changed (or that was never generated), and
 * build the app when build/ is missing or older than its sources. Each step is skipped when
 * there is nothing to do, so a second run costs a few file reads.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
export const npx = process.platform === "win32" ? "npx.cmd" : "npx";

/** Runs one step: `what` is how to name it to a person (`npm run build`). */
export type StepRunner = (what: string, command: string, args: string[], env: Record<string, string>) => Promise<void>;

/** Each schema and the copy `prisma generate` leaves beside the client it generated from it. */
const CLIENTS = [
  { schema: "prisma/schema.prisma", generated: "node_modules/.prisma/client/schema.prisma" },
  { schema: "prisma/postgres/schema.prisma", generated: "prisma/generated/postgres/schema.prisma" },
];

/** The Prisma CLI offline, as scripts/prisma-cli.ts runs it (docs/decisions/001). */
export const PRISMA_OFFLINE_ENV: Record<string, string> = {
  PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? "/dev/null",
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? "/dev/null",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
};

/** Generates each Prisma client whose schema changed since it was generated; returns what it did. */
export async function generateStaleClients(
  root: string,
  run: StepRunner,
  env: Record<string, string> = {},
): Promise<string[]> {
  const done: string[] = [];
  for (const client of CLIENTS) {
    if (sameFile(path.join(root, client.schema), path.join(root, client.generated))) continue;
    const args = ["prisma", "generate", "--schema", client.schema];
    await run(`prisma generate --schema ${client.schema}`, npx, args, { ...PRISMA_OFFLINE_ENV, ...env });
    done.push(`generated the Prisma client for ${client.schema}`);
  }
  return done;
}

function sameFile(a: string, b: string): boolean {
  return existsSync(b) && readFileSync(a).equals(readFileSync(b));
}

/** What the app build depends on; a build older than any of them is rebuilt. */
const BUILD_INPUTS = ["app", "vite.config.ts", "tsconfig.json", "package-lock.json"];
const BUILD_OUTPUT = "build/server/index.js";

/** Whether build/ is missing or older than a source it is built from. */
export function buildIsStale(root: string): boolean {
  const output = path.join(root, BUILD_OUTPUT);
  return !existsSync(output) || statSync(output).mtimeMs < newestSource(root);
}

/** Builds the app (`npm run build`) when build/ is missing or older than its sources. */
export async function buildIfStale(root: string, run: StepRunner): Promise<"built" | "fresh"> {
  if (!buildIsStale(root)) return "fresh";
  await run("npm run build", npx, ["remix", "vite:build"], { NODE_ENV: "production" });
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

/** A step's output, kept for when it fails. */
export class StepFailed extends Error {
  override name = "StepFailed";
  constructor(
    readonly what: string,
    readonly output: string,
  ) {
    const tail = output.trim().split("\n").slice(-15).join("\n");
    super(`\`${what}\` failed:\n${tail}`);
  }
}

/** Runs a step in `root` with its output captured: shown only when it fails. */
export function quietRunner(root: string): StepRunner {
  return async (what, command, args, env) => {
    try {
      await execFileAsync(command, args, {
        cwd: root,
        env: { ...process.env, ...env },
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
      throw new StepFailed(what, `${stdout}${stderr}`);
    }
  };
}
