import type { Queue } from "bullmq";
import type { RedisClient } from "../redis.server";
import { assignArm, type Arm } from "../conversion/assignment";
import { currentExperiment } from "../conversion/experiments.server";
import type { Db } from "../database/client.server";
import { recordExposure } from "../events/exposure.server";
import type { ShopSettings } from "../settings/settings-schema";
import type { ServingCache } from "./serving-cache";

export interface HoldoutDeps {
  db: Db;
  redis: RedisClient;
  prefix: string;
  cache: ServingCache;
  /** The events queue, where exposures go. */
  eventsQueue: () => Queue;
}

export interface Assignment {
  arm: Arm;
  experimentId: string;
  /** The visitor in this experiment, as the process remembers it. */
  visitorKey: string;
  /** Already reported as exposed by this process. */
  reported: boolean;
}

/**
 * The visitor's arm in the shop's running experiment (docs/decisions/008). A visitor without an
 * id (storage blocked) cannot be followed to an order, so gets recommendations and is not
 * counted. The experiment is cached in process like the shop's state.
 */
export async function assignVisitor(
  deps: HoldoutDeps,
  shop: string,
  visitorId: string | null,
  settings: ShopSettings,
): Promise<Assignment | null> {
  if (!visitorId) return null;
  const cacheKey = `${shop}:${settings.holdoutPercent}`;
  let experimentId = deps.cache.experiments.get(cacheKey);
  if (!experimentId) {
    experimentId = (await currentExperiment(deps, shop, settings.holdoutPercent)).id;
    deps.cache.experiments.set(cacheKey, experimentId);
  }
  // A visitor this process already counted has its arm remembered: no hash for a returning visitor.
  const visitorKey = `${shop}\n${experimentId}\n${visitorId}`;
  const known = deps.cache.exposures.get(visitorKey);
  if (known) return { arm: known, experimentId, visitorKey, reported: true };
  const arm = assignArm({ shop, experimentId, visitorId, holdoutPercent: settings.holdoutPercent });
  return { arm, experimentId, visitorKey, reported: false };
}

/**
 * Counts the visitor as exposed, in either arm, once per experiment. The process remembers whom
 * it already reported, so a returning visitor's page views cost nothing.
 */
export async function reportExposure(
  deps: HoldoutDeps,
  shop: string,
  visitorId: string,
  customerId: string | null,
  assignment: Assignment,
  recommendationId: string,
): Promise<void> {
  if (assignment.reported) return;
  await recordExposure(
    { redis: deps.redis, queue: deps.eventsQueue(), prefix: deps.prefix },
    { shop, experimentId: assignment.experimentId, visitorId, customerId, recommendationId },
  );
  deps.cache.exposures.set(assignment.visitorKey, assignment.arm);
}
