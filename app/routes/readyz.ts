import { db } from "../db.server";
import { queueConnected } from "../queues.server";
import { probeShopTable } from "../lib/shops/registry.server";

/**
 * Readiness for load balancers and orchestrators, beside /healthz (liveness): 200 only while both
 * Redis (webhooks, serving) and the database (admin, workers' writes) answer, else 503 naming the
 * one that does not. A process that is not ready should get no traffic, not be restarted.
 */
export const loader = async () => {
  const [redis, database] = await Promise.all([
    queueConnected().catch(() => false),
    probeShopTable(db).then(
      () => true,
      () => false,
    ),
  ]);
  const ready = redis && database;
  return Response.json({ ready, redis, database }, { status: ready ? 200 : 503 });
};
