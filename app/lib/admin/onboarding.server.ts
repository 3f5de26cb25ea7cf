import type { RedisClient } from "../redis.server";
import type { Db } from "../database/client.server";
import { storefrontLastSeen } from "../storefront-store/seen.server";
import type { AdminGraphql } from "../shopify/admin-client.server";
import { onboardingComplete, onboardingSteps, type OnboardingStep } from "./onboarding";
import { pixelConnected, recentPixelEvents } from "./pixel-status.server";

export interface OnboardingDeps {
  db: Db;
  redis: RedisClient;
  prefix: string;
  apiKey: string;
  /** The shop's Admin API; asked only while the pixel has sent nothing. */
  admin: AdminGraphql;
  now?: Date;
}

export interface Onboarding {
  steps: OnboardingStep[];
  complete: boolean;
  /** Whether something is moving (import, training), so the page should poll. */
  live: boolean;
  /** Whether the storefront showed the block lately; the page then stops pointing to the theme editor. */
  blockSeen: boolean;
}

/**
 * The checklist's live state for one shop: backfill rows, the newest training run, the
 * storefront's last request (Redis) and the pixel's recent events (rollups). Shopify is asked
 * about the pixel only when no pixel event arrived lately, so a set-up shop costs no API call.
 */
export async function loadOnboarding(
  deps: OnboardingDeps,
  shop: { id: string; domain: string; activeModelRunId: string | null; timeZone?: string },
): Promise<Onboarding> {
  const now = deps.now ?? new Date();
  const [backfills, latestRun, active, storefrontSeenAt, pixelEvents] = await Promise.all([
    deps.db.backfill.findMany({
      where: { shopId: shop.id },
      select: { resource: true, status: true, objectCount: true, recordsImported: true, error: true },
    }),
    deps.db.modelRun.findFirst({
      where: { shopId: shop.id },
      orderBy: { createdAt: "desc" },
      select: { status: true, served: true, orders: true },
    }),
    shop.activeModelRunId
      ? deps.db.modelRun.findFirst({ where: { id: shop.activeModelRunId, shopId: shop.id }, select: { served: true } })
      : null,
    storefrontLastSeen(deps.redis, deps.prefix, shop.domain),
    recentPixelEvents(deps.db, shop.id, now, 7, shop.timeZone),
  ]);
  const steps = onboardingSteps(
    {
      shop: shop.domain,
      apiKey: deps.apiKey,
      backfills,
      latestRun,
      serving: active?.served ?? null,
      storefrontSeenAt,
      pixelEvents,
      pixelConnected: pixelEvents > 0 ? true : await pixelConnected(deps.admin),
    },
    now,
  );
  const live = steps.some((s) => (s.id === "sync" || s.id === "train") && s.status === "in_progress");
  const blockSeen = steps.some((s) => s.id === "block" && s.status === "complete");
  return { steps, complete: onboardingComplete(steps), live, blockSeen };
}
