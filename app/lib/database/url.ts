import path from "node:path";

/** Where the data lives, decided once from DATABASE_URL. */
export type DatabaseTarget = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string; schema: string };

/**
 * Parses DATABASE_URL. `file:` URLs are SQLite (the embedded default); `postgres://` and
 * `postgresql://` are PostgreSQL, where an optional `?schema=` selects the schema (tests use one
 * schema each so they never see each other's rows).
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseTarget {
  if (url.startsWith("file:")) {
    const file = url.slice("file:".length).split("?")[0] ?? "";
    if (file === "") throw new Error("DATABASE_URL: a file: URL needs a path, e.g. file:./var/affinity.db");
    return { kind: "sqlite", file: file === ":memory:" ? file : path.resolve(cwd, file) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get("schema") ?? "public";
    parsed.searchParams.delete("schema");
    return { kind: "postgres", url: parsed.toString(), schema };
  }
  throw new Error(
    `DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL); got "${url.split(":")[0]}:…"`,
  );
}
