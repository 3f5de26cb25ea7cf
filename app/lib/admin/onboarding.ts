import { formatCount, formatCountOf } from "./format";

/**
 * The first-run checklist on the home page, derived from facts the server gathered
 * (onboarding.server.ts). Pure: the same facts always give the same steps, so tests can state
 * them directly.
 */
export type StepStatus = "complete" | "in_progress" | "incomplete" | "attention" | "unknown";

export interface ProgressLine {
  label: string;
  /** 0–100, or null while the total is not known yet (Shopify is still exporting). */
  percent: number | null;
  detail: string;
}

export type StepAction =
  { kind: "link"; label: string; url: string } | { kind: "submit"; label: string; intent: "connect-pixel" };

export interface OnboardingStep {
  id: "sync" | "train" | "block" | "pixel";
  title: string;
  status: StepStatus;
  detail: string;
  progress?: ProgressLine[];
  action?: StepAction;
}

export interface BackfillFact {
  resource: string;
  status: string;
  objectCount: number;
  recordsImported: number;
  error: string | null;
}

export interface OnboardingFacts {
  shop: string;
  apiKey: string;
  backfills: BackfillFact[];
  /** The newest training run, whatever its state. */
  latestRun: { status: string; served: string | null; orders: number } | null;
  /** Whether some run's lists are being served. */
  serving: string | null;
  storefrontSeenAt: Date | null;
  /** Events from the web pixel in the last seven days (rollups). */
  pixelEvents: number;
  /** Whether Shopify has the app's web pixel: null when it could not be checked. */
  pixelConnected: boolean | null;
}

/** The block counts as live when the storefront asked for recommendations this recently. */
export const BLOCK_SEEN_WITHIN_MS = 7 * 24 * 3600 * 1000;

/** Opens the theme editor on a product page with our block ready to add to the main section. */
export function themeEditorLink(shop: string, apiKey: string): string {
  const query = new URLSearchParams({
    template: "product",
    addAppBlockId: `${apiKey}/recommendations`,
    target: "mainSection",
  });
  return `https://${shop}/admin/themes/current/editor?${query.toString()}`;
}

export function onboardingSteps(facts: OnboardingFacts, now: Date): OnboardingStep[] {
  return [syncStep(facts), trainStep(facts), blockStep(facts, now), pixelStep(facts)];
}

export const onboardingComplete = (steps: OnboardingStep[]) => steps.every((s) => s.status === "complete");

function progressLine(row: BackfillFact): ProgressLine {
  const name = row.resource === "orders" ? "Orders" : "Products";
  const total = Math.max(row.objectCount, row.recordsImported);
  if (row.status === "completed") {
    return { label: name, percent: 100, detail: `${formatCount(row.recordsImported)} imported` };
  }
  if (row.status === "failed") return { label: name, percent: 0, detail: "Failed" };
  if (row.status === "importing" && total > 0) {
    const percent = Math.min(100, Math.round((row.recordsImported / total) * 100));
    return { label: name, percent, detail: `${formatCount(row.recordsImported)} of ${formatCount(total)} imported` };
  }
  return { label: name, percent: null, detail: `Shopify is preparing them (${formatCount(row.objectCount)} so far)` };
}

function syncStep(facts: OnboardingFacts): OnboardingStep {
  const base = { id: "sync", title: "Import your products and orders" } as const;
  const rows = ["products", "orders"]
    .map((resource) => facts.backfills.find((b) => b.resource === resource))
    .filter((b): b is BackfillFact => b !== undefined);
  if (rows.length === 0) {
    return { ...base, status: "in_progress", detail: "The import starts right after install.", progress: [] };
  }
  const progress = rows.map(progressLine);
  const failed = rows.find((r) => r.status === "failed");
  if (failed) {
    const detail = `The ${failed.resource} import failed: ${failed.error ?? "unknown error"}. It is retried automatically.`;
    return { ...base, status: "attention", detail, progress };
  }
  if (rows.length === 2 && rows.every((r) => r.status === "completed")) {
    const [products, orders] = rows as [BackfillFact, BackfillFact];
    const detail = `${formatCountOf(products.recordsImported, "product")} and ${formatCountOf(orders.recordsImported, "order")} imported.`;
    return { ...base, status: "complete", detail, progress };
  }
  return { ...base, status: "in_progress", detail: "Copying your catalog and order history.", progress };
}

const SERVED_LABEL: Record<string, string> = {
  popularity: "your most popular products",
  cooccurrence: "“bought together” picks",
  cosine: "“bought together” picks",
  repeat: "“buy again” picks",
};

function trainStep(facts: OnboardingFacts): OnboardingStep {
  const base = { id: "train", title: "Train your shop's model" } as const;
  const run = facts.latestRun;
  if (run && (run.status === "running" || run.status === "queued")) {
    const detail = `Learning from ${run.orders > 0 ? formatCountOf(run.orders, "order") : "your orders"}. This takes a few minutes.`;
    return { ...base, status: "in_progress", detail };
  }
  if (facts.serving) {
    const served = SERVED_LABEL[facts.serving] ?? facts.serving;
    const detail =
      facts.serving === "model"
        ? "Your shop's model is trained and serving recommendations."
        : `Serving ${served} for now; your model takes over once it beats them.`;
    return { ...base, status: "complete", detail };
  }
  if (run?.status === "failed") {
    return { ...base, status: "attention", detail: "The last training failed. Open the Model page to retry." };
  }
  return { ...base, status: "incomplete", detail: "Starts as soon as the import finishes." };
}

function blockStep(facts: OnboardingFacts, now: Date): OnboardingStep {
  const base = { id: "block", title: "Add “Recommended for you” to your theme" } as const;
  const action: StepAction = {
    kind: "link",
    label: "Add block in theme editor",
    url: themeEditorLink(facts.shop, facts.apiKey),
  };
  const seen = facts.storefrontSeenAt;
  if (seen && now.getTime() - seen.getTime() <= BLOCK_SEEN_WITHIN_MS) {
    return { ...base, status: "complete", detail: `Detected on your storefront ${timeAgo(seen, now)}.` };
  }
  if (seen) {
    const detail = `Last seen ${timeAgo(seen, now)}. Is the block still on your live theme?`;
    return { ...base, status: "attention", detail, action };
  }
  const detail = "Add the block to your product page, then save. It is detected once a shopper sees it.";
  return { ...base, status: "incomplete", detail, action };
}

function pixelStep(facts: OnboardingFacts): OnboardingStep {
  const base = { id: "pixel", title: "Measure sales with the Affinity pixel" } as const;
  if (facts.pixelEvents > 0) {
    const detail = `Receiving events: ${formatCount(facts.pixelEvents)} in the last 7 days.`;
    return { ...base, status: "complete", detail };
  }
  const connect: StepAction = { kind: "submit", label: "Connect pixel", intent: "connect-pixel" };
  if (facts.pixelConnected === true) {
    return { ...base, status: "in_progress", detail: "Connected. Waiting for the first shopper's visit." };
  }
  if (facts.pixelConnected === false) {
    const detail = "The pixel is not connected, so orders cannot be credited to recommendations.";
    return { ...base, status: "attention", detail, action: connect };
  }
  const detail = "Not yet checked: Shopify could not be asked just now. Connecting again is safe.";
  return { ...base, status: "unknown", detail, action: connect };
}

/** "3 minutes ago", "yesterday", "on 4 March": coarse on purpose, it is a status line. */
export function timeAgo(at: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  if (seconds < 60) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} hour${hours === 1 ? "" : "s"} ago`;
  const days = Math.round(hours / 24);
  if (days === 1) return "yesterday";
  if (days < 14) return `${days} days ago`;
  return `on ${at.toLocaleDateString("en", { day: "numeric", month: "long", timeZone: "UTC" })}`;
}
