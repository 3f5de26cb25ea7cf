import { describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../app/lib/database/url";

describe("parseDatabaseUrl", () => {
  it("resolves a relative SQLite file against the working directory", () => {
    expect(parseDatabaseUrl("file:./var/a.db", "/srv/app")).toEqual({ kind: "sqlite", file: "/srv/app/var/a.db" });
  });

  it("keeps an in-memory SQLite database as is", () => {
    expect(parseDatabaseUrl("file::memory:")).toEqual({ kind: "sqlite", file: ":memory:" });
  });

  it("takes the PostgreSQL schema out of the URL", () => {
    expect(parseDatabaseUrl("postgresql://u@h:5432/db?schema=t1&sslmode=disable")).toEqual({
      kind: "postgres",
      url: "postgresql://u@h:5432/db?sslmode=disable",
      schema: "t1",
    });
  });

  it("defaults the PostgreSQL schema to public", () => {
    expect(parseDatabaseUrl("postgres://u@h/db")).toMatchObject({ kind: "postgres", schema: "public" });
  });

  it("refuses other engines and empty paths with a message that says what is accepted", () => {
    expect(() => parseDatabaseUrl("mysql://u@h/db")).toThrow(/must start with file: .* or postgresql:/);
    expect(() => parseDatabaseUrl("file:")).toThrow(/needs a path/);
  });
});
