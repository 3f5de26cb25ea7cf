import { db } from "../db.server";
import { probeShopTable } from "../lib/shops/registry.server";

// Liveness for load balancers: answers 200 when the process can reach its database.
export const loader = async () => {
  try {
    await probeShopTable(db);
    return Response.json({ ok: true });
  } catch {
    return Response.json({ ok: false, reason: "database unreachable" }, { status: 503 });
  }
};
