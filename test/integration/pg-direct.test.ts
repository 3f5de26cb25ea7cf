import { Prisma } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { bindDirectConnection, runRead, runWrite } from "../../app/lib/database/pg-direct.server";
import { createDb } from "../../app/lib/database/client.server";
import { runSql } from "../../app/lib/database/raw-sql.server";
import { createPostgresTestDb, type TestDb } from "../helpers/test-db";

/**
 * The batch's writes on PostgreSQL go on the transaction's own pg connection, around Prisma
 * (pg-direct.server.ts). They must stay inside that transaction, and store what Prisma stores.
 */
describe("pg-direct: writes on the transaction's own connection", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createPostgresTestDb();
    await t.db.$executeRawUnsafe(`CREATE TABLE probe (k text PRIMARY KEY, at timestamp(3), n numeric)`);
  });
  afterAll(() => t.drop());

  const insert = (k: string, at: Date, n: string) =>
    Prisma.sql`INSERT INTO probe (k, at, n) VALUES (${k}, ${at}, CAST(${n} AS DECIMAL)) RETURNING k`;

  it("binds a client createDb made, and its writes commit and roll back with the transaction", async () => {
    const at = new Date("2026-03-29T01:30:00.123Z");
    let bound = false;
    await t.db.$transaction(async (tx) => {
      bound = await bindDirectConnection(t.db, tx);
      expect(await runWrite<Array<{ k: string }>>(tx, insert("kept", at, "1.50"))).toEqual([{ k: "kept" }]);
      // Prisma's own reads in the same transaction see the row before the commit.
      expect(await runSql<Array<{ k: string }>>(tx, Prisma.sql`SELECT k FROM probe WHERE k = 'kept'`)).toHaveLength(1);
    });
    expect(bound).toBe(true);
    await expect(
      t.db.$transaction(async (tx) => {
        expect(await bindDirectConnection(t.db, tx)).toBe(true);
        await runWrite(tx, insert("undone", at, "2"));
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    const rows = await runSql<Array<{ k: string }>>(t.db, Prisma.sql`SELECT k FROM probe ORDER BY k`);
    expect(rows.map((r) => r.k)).toEqual(["kept"]);
  });

  it("stores a Date as Prisma does, as UTC wall time, whatever the process's time zone", async () => {
    const at = new Date("2026-07-01T23:59:59.999Z");
    const zone = process.env.TZ;
    process.env.TZ = "America/New_York";
    try {
      await runSql(t.db, insert("prisma", at, "12345678901234.56"));
      await t.db.$transaction(async (tx) => {
        expect(await bindDirectConnection(t.db, tx)).toBe(true);
        await runWrite(tx, insert("direct", at, "12345678901234.56"));
      });
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    const rows = await runSql<Array<{ k: string; at: string; n: string }>>(
      t.db,
      Prisma.sql`SELECT k, at::text AS at, n::text AS n FROM probe WHERE k IN ('prisma', 'direct') ORDER BY k`,
    );
    expect(rows).toEqual([
      { k: "direct", at: "2026-07-01 23:59:59.999", n: "12345678901234.56" },
      { k: "prisma", at: "2026-07-01 23:59:59.999", n: "12345678901234.56" },
    ]);
  });

  it("reads a timestamp as the same instant Prisma reads, whatever the process's time zone", async () => {
    const at = new Date("2026-07-02T02:15:00.250Z");
    await runSql(t.db, insert("read", at, "3"));
    const read = Prisma.sql`SELECT k, at FROM probe WHERE k = ${"read"}`;
    const zone = process.env.TZ;
    process.env.TZ = "America/New_York";
    try {
      const [viaPrisma] = await runSql<Array<{ k: string; at: Date | string }>>(t.db, read);
      const [direct] = await t.db.$transaction(async (tx) => {
        expect(await bindDirectConnection(t.db, tx)).toBe(true);
        return runRead<Array<{ k: string; at: Date | string }>>(tx, read);
      });
      expect(direct?.k).toBe("read");
      expect(new Date(direct!.at).toISOString()).toBe(at.toISOString());
      expect(new Date(viaPrisma!.at).toISOString()).toBe(at.toISOString());
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it("leaves a client createDb did not make on Prisma", async () => {
    const other = {};
    await t.db.$transaction(async (tx) => {
      expect(await bindDirectConnection(other, tx)).toBe(false);
      expect(await runWrite<Array<{ k: string }>>(tx, insert("fallback", new Date(0), "0"))).toEqual([
        { k: "fallback" },
      ]);
    });
  });

  it("reads outside a transaction on the pool, and never writes there", async () => {
    await runSql(t.db, insert("pooled", new Date(0), "0"));
    // A client of its own to spy on: a spy restored on t.db would break transactions made from it.
    const watched = createDb(t.url);
    const raw = vi.spyOn(watched, "$queryRaw");
    try {
      expect(await runRead(watched, Prisma.sql`SELECT k FROM probe WHERE k = ${"pooled"}`)).toEqual([{ k: "pooled" }]);
      expect(raw).not.toHaveBeenCalled();
      // A write on a bare client is not in any batch's transaction: it stays on Prisma.
      await runWrite(watched, insert("bare", new Date(0), "0"));
      expect(raw).toHaveBeenCalledTimes(1);
    } finally {
      await watched.$disconnect();
    }
  });
});
