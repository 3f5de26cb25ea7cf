import type { RedisClient } from "../redis.server";
import { findShop, requireShop } from "../shops/registry.server";
import type { Db } from "../database/client.server";
import type { Logger } from "../logger.server";
import { BASELINE_NAMES, type BaselineName } from "../model/baselines";
import { indexShopData } from "../model/dataset";
import type { SettingMetrics } from "../model/evaluate-lists";
import { bestBaseline } from "../model/promote";
import { readArtifact } from "../model/artifact";
import { restoreWithFallback } from "../model/restore";
import { z } from "zod";
import { DEFAULT_TRAIN_BUDGET_MB, type WindowCaps, type WindowRule } from "../model/window";
import type { PersonalStrategy } from "../model/strategies";
import {
  servedRunId,
  writeRunLists,
  writeSomeCustomerLists,
  type RunLists,
} from "../storefront-store/run-lists.server";
import { customerListsFor, runListsFor } from "./build-lists";
import { loadTrainingInput } from "./shop-history.server";

export interface RebuildDeps {
  db: Db;
  redis: RedisClient;
  prefix: string;
  log: Logger;
  /** TRAIN_MAX_RSS_MB, so a restore loads the window its run was trained on. */
  budgetMb?: number;
}

interface RecordedMetrics {
  baselines?: Record<BaselineName, SettingMetrics>;
  strategies?: Partial<Record<PersonalStrategy, { baseline?: unknown }>>;
  related?: { baseline?: unknown };
}

/**
 * The run's best baseline from its stored metrics, and each strategy's and the related lists'
 * (when the run recorded them); repeat when they are unreadable.
 */
function recordedBaselines(metrics: string): {
  overall: BaselineName;
  strategies?: Record<PersonalStrategy, BaselineName>;
  related?: BaselineName;
} {
  try {
    const { baselines, strategies, related } = JSON.parse(metrics) as RecordedMetrics;
    if (baselines && BASELINE_NAMES.every((n) => typeof baselines[n]?.all?.ndcg === "number")) {
      const overall = bestBaseline(baselines);
      const known = (name: unknown): name is BaselineName => BASELINE_NAMES.includes(name as BaselineName);
      const pick = (s: PersonalStrategy): BaselineName => {
        const name = strategies?.[s]?.baseline;
        return known(name) ? name : overall;
      };
      return {
        overall,
        ...(strategies
          ? { strategies: { for_you: pick("for_you"), buy_again: pick("buy_again"), new_for_you: pick("new_for_you") } }
          : {}),
        ...(known(related?.baseline) ? { related: related.baseline } : {}),
      };
    }
  } catch {
    // Fall through: an unreadable record still gets a list.
  }
  return { overall: "repeat" };
}

const capsSchema = z.object({ maxLines: z.number().int().positive(), maxItems: z.number().int().positive() });

const recordedWindowSchema = z.object({
  caps: capsSchema.optional(),
  // Runs recorded before the customer window cut by days and did not say so.
  rule: z.enum(["customers", "days"]).default("days"),
});

/**
 * The caps and rule the run was trained with, when its window was cut: a run the memory guard
 * retried with half the window is restored on that half, not on what the budget alone would
 * allow, and by the rule it was cut by. A run with no window recorded is read as training reads
 * today (rule "customers").
 */
export function recordedWindow(metrics: string): { caps?: WindowCaps; rule: WindowRule } {
  try {
    const parsed = recordedWindowSchema.safeParse((JSON.parse(metrics) as { window?: unknown }).window);
    return parsed.success
      ? { ...(parsed.data.caps ? { caps: parsed.data.caps } : {}), rule: parsed.data.rule }
      : { rule: "customers" };
  } catch {
    return { rule: "customers" };
  }
}

type StoredModelRun = { id: string; metrics: string; artifact: Uint8Array | null };

/**
 * The model a run's lists are built from, restored on today's orders, catalog and views within the
 * window the run was trained on: the first of `runs` whose artifact restores, else the first run's
 * best baseline (logged by restoreWithFallback).
 */
async function restoreOnToday(deps: RebuildDeps, shopId: string, runs: readonly StoredModelRun[], log: Logger) {
  const recorded = recordedWindow(runs[0]!.metrics);
  const { orders, catalog, views } = await loadTrainingInput(
    deps.db,
    shopId,
    deps.budgetMb ?? DEFAULT_TRAIN_BUDGET_MB,
    recorded.caps,
    recorded.rule,
  );
  const restored = restoreWithFallback(
    runs.map((r) => ({ runId: r.id, artifact: r.artifact })),
    indexShopData(orders, catalog, views),
    recordedBaselines(runs[0]!.metrics),
    (event, fields) => log.warn(event, fields),
  );
  return { restored, orders };
}

/**
 * Rewrites a run's Redis lists from the database alone: today's orders, catalog and views, and
 * the run's stored artifact — or the shop's previous run's, or the run's best baseline when the
 * artifact is missing or unusable (logged by restoreWithFallback). Used when Redis lost the
 * lists; it never retrains and never throws on a bad artifact.
 */
export async function rebuildRunLists(
  deps: RebuildDeps,
  shopDomain: string,
  runId: string,
): Promise<{ fromRun: string | null; served: string }> {
  const shop = await requireShop(deps.db, shopDomain);
  const run = await deps.db.modelRun.findFirstOrThrow({ where: { id: runId, shopId: shop.id } });
  const previousId = shop.previousModelRunId !== runId ? shop.previousModelRunId : null;
  const previous = previousId ? await deps.db.modelRun.findUnique({ where: { id: previousId } }) : null;
  const log = deps.log.child({ shop: shopDomain, runId });
  const { restored, orders } = await restoreOnToday(deps, shop.id, [run, ...(previous ? [previous] : [])], log);
  try {
    await writeRunLists(deps.redis, deps.prefix, shopDomain, runId, runListsFor(restored.model, orders));
  } finally {
    restored.model.dnn?.dispose();
  }
  log.info("lists.rebuilt", { fromRun: restored.fromRun, served: restored.model.promoted });
  return { fromRun: restored.fromRun, served: restored.model.promoted };
}

function artifactReads(artifact: Uint8Array | null, log: Logger): boolean {
  try {
    readArtifact(artifact);
    return true;
  } catch (error) {
    log.warn("model.artifact_unusable", { reason: (error as Error).message });
    return false;
  }
}

export type RefreshOutcome =
  | { refreshed: true; runId: string; customers: number; scope: "customers" | "every customer" }
  | {
      refreshed: false;
      reason: "shop not installed" | "no run served" | "not served in Redis" | "artifact unusable" | "run is newer";
    };

/**
 * How far apart two hosts' clocks may be. `after` comes from the clock of the process that stored
 * the orders, a run's start from the training process's: a run counts as having read the orders
 * only when it started this much after the window, so a trainer whose clock runs ahead cannot skip
 * the refresh of orders it never read. The price is one needless refresh when a training starts
 * within this margin of a window's end.
 */
export const CLOCK_SKEW_MS = 60_000;

/** What a refresh was asked for: when its orders were all stored, and whose orders they were. */
export interface RefreshRequest {
  /** When the orders were all stored (epoch ms): a run started CLOCK_SKEW_MS after it read them ("run is newer"). */
  after?: number;
  /** The customers who ordered: only their lists are rebuilt. Empty or absent: every customer's. */
  customers?: readonly string[];
}

/**
 * Rebuilds the served run's lists of the customers who ordered, in place, with its own model read
 * on today's orders: what they are ranked on then includes their new order, as the evaluation
 * reads each basket's moment (ADR 005, "Lists that follow orders"). Everyone else's lists, and the
 * shop-wide ones, stay as the run built them. Never another run's network: a served model whose
 * artifact does not restore keeps its lists as they are. Memory is bounded as a restore's, by the
 * window the run was trained on (TRAIN_MAX_RSS_MB); list building follows the window's customers.
 */
export async function refreshServedLists(
  deps: RebuildDeps,
  shopDomain: string,
  { after, customers = [] }: RefreshRequest = {},
): Promise<RefreshOutcome> {
  const shop = await findShop(deps.db, shopDomain);
  // After shop/redact there is no row; an uninstalled shop serves nothing, so it needs no refresh.
  if (shop?.status !== "installed") return { refreshed: false, reason: "shop not installed" };
  if (!shop.activeModelRunId) return { refreshed: false, reason: "no run served" };
  const run = await deps.db.modelRun.findFirstOrThrow({ where: { id: shop.activeModelRunId, shopId: shop.id } });
  if (after !== undefined && run.startedAt && run.startedAt.getTime() >= after + CLOCK_SKEW_MS)
    return { refreshed: false, reason: "run is newer" };
  // Lists written for a run Redis does not serve would be keys nothing points to (Redis lost its
  // pointer, or a rollback swapped runs meanwhile): asked before the load and again before writing.
  const served = async () => (await servedRunId(deps.redis, deps.prefix, shopDomain)) === run.id;
  if (!(await served())) return { refreshed: false, reason: "not served in Redis" };
  const log = deps.log.child({ shop: shopDomain, runId: run.id });
  // Every trained run stores its model; lists from a baseline in its place would not be its own.
  const ownModelOnly = !BASELINE_NAMES.includes(run.served as BaselineName);
  // Checked before the history load: a busy shop would otherwise pay that load every refresh
  // window until its next training, to learn each time that the artifact does not even parse.
  if (ownModelOnly && !artifactReads(run.artifact, log)) return { refreshed: false, reason: "artifact unusable" };
  const { restored, orders } = await restoreOnToday(deps, shop.id, [run], log);
  try {
    // What parses can still fail to restore on today's data (a weight's shape, a non-finite value).
    if (restored.fromRun !== run.id && ownModelOnly) return { refreshed: false, reason: "artifact unusable" };
    const some = customers.length > 0;
    const lists = some ? customerListsFor(restored.model, orders, customers) : runListsFor(restored.model, orders);
    if (!(await served())) return { refreshed: false, reason: "not served in Redis" };
    if (some) await writeSomeCustomerLists(deps.redis, deps.prefix, shopDomain, run.id, lists);
    else await writeRunLists(deps.redis, deps.prefix, shopDomain, run.id, lists as RunLists, { inPlace: true });
    const scope = some ? "customers" : "every customer";
    log.info("lists.refreshed", { customers: lists.forCustomer.size, scope });
    return { refreshed: true, runId: run.id, customers: lists.forCustomer.size, scope };
  } finally {
    restored.model.dnn?.dispose();
  }
}
