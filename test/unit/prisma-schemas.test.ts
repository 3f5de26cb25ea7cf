import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { derivePostgresSchema } from "../../app/lib/database/prisma-schemas";

describe("the PostgreSQL schema", () => {
  it("is exactly what `npm run db:schemas` derives from prisma/schema.prisma", () => {
    const derived = derivePostgresSchema(readFileSync("prisma/schema.prisma", "utf8"));
    expect(readFileSync("prisma/postgres/schema.prisma", "utf8")).toBe(derived);
  });

  it("switches provider and client output, and keeps every model", () => {
    const source = readFileSync("prisma/schema.prisma", "utf8");
    const derived = derivePostgresSchema(source);
    expect(derived).toContain('provider = "postgresql"');
    expect(derived).toContain('output     = "../generated/postgres"');
    const models = (text: string) => [...text.matchAll(/^model (\w+)/gm)].map((m) => m[1]);
    expect(models(derived)).toEqual(models(source));
  });

  it("fails loudly if the schema's header changes shape", () => {
    expect(() => derivePostgresSchema("model A { id Int @id }")).toThrow(/expected generator\/datasource/);
  });
});
