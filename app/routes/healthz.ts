import { db } from "../db.server";

// Liveness for load balancers: answers 200 when the process can reach its database.
export const loader = async () => {
  try {
    await db.shop.count();
    return Response.json({ ok: true });
  } catch {
    return Response.json({ ok: false, reason: "database unreachable" }, { status: 503 });
  }
};
