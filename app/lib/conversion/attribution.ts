import { toUnits } from "./money";

/** The hidden line-item property the storefront block adds on add to cart (docs/decisions/006). */
export const RECOMMENDATION_PROPERTY = "_affinity_rec";
/** How long after a click an order still counts as the recommendation's. @defaultValue 7 days */
export const DEFAULT_ATTRIBUTION_WINDOW_DAYS = 7;
const DAY_MS = 24 * 3600 * 1000;

export interface AttributionLine {
  lineId: string;
  productId: string | null;
  quantity: number;
  /** Unit price, a decimal string in the shop's currency. */
  price: string;
  properties: Array<{ name: string; value: string }>;
}

export interface AttributionOrder {
  placedAt: Date;
  customerId: string | null;
  /** Visitors known to have placed it (the pixel's checkout_completed). */
  visitorIds: string[];
  cancelled: boolean;
  test: boolean;
  lines: AttributionLine[];
}

/** A click on (or add to cart of) a product inside the block. */
export interface RecommendationClick {
  productId: string;
  recommendationId: string | null;
  at: Date;
  visitorId: string;
  customerId: string | null;
}

export interface AttributedLine {
  lineId: string;
  productId: string | null;
  kind: "direct" | "click";
  recommendationId: string | null;
  /** Money units (see money.ts). */
  revenue: number;
}

export interface OrderAttributionResult {
  /** The order's merchandise revenue net of refunds, in money units; 0 when it does not count. */
  revenue: number;
  attributedRevenue: number;
  lines: AttributedLine[];
}

const NOTHING: OrderAttributionResult = { revenue: 0, attributedRevenue: 0, lines: [] };

/**
 * Which lines of an order Affinity earned, and what they are worth (docs/decisions/007). Pure:
 * the caller loads the order, its refunds and the clicks, and replaces whatever the order
 * contributed before with this result, so running it twice changes nothing.
 */
export function attributeOrder(
  order: AttributionOrder,
  clicks: RecommendationClick[],
  refundedQuantities: ReadonlyMap<string, number>,
  windowDays: number = DEFAULT_ATTRIBUTION_WINDOW_DAYS,
): OrderAttributionResult {
  // A cancelled order undoes everything; test orders are not sales.
  if (order.cancelled || order.test) return NOTHING;
  const from = order.placedAt.getTime() - windowDays * DAY_MS;
  const to = order.placedAt.getTime();
  const byOrderBuyer = clicks.filter(
    (c) =>
      c.at.getTime() >= from &&
      c.at.getTime() <= to &&
      ((order.customerId !== null && c.customerId === order.customerId) || order.visitorIds.includes(c.visitorId)),
  );

  let revenue = 0;
  const lines: AttributedLine[] = [];
  for (const line of order.lines) {
    const kept = Math.max(0, line.quantity - (refundedQuantities.get(line.lineId) ?? 0));
    const lineRevenue = toUnits(line.price) * kept;
    revenue += lineRevenue;
    if (kept === 0) continue;
    const attributed = directAttribution(line) ?? clickAttribution(line, byOrderBuyer);
    if (attributed) lines.push({ lineId: line.lineId, productId: line.productId, ...attributed, revenue: lineRevenue });
  }
  return { revenue, attributedRevenue: lines.reduce((sum, l) => sum + l.revenue, 0), lines };
}

function directAttribution(line: AttributionLine): Pick<AttributedLine, "kind" | "recommendationId"> | null {
  const property = line.properties.find((p) => p.name === RECOMMENDATION_PROPERTY && p.value.trim() !== "");
  return property ? { kind: "direct", recommendationId: property.value.trim() } : null;
}

/** The latest click on the line's product, by the buyer, inside the window. */
function clickAttribution(
  line: AttributionLine,
  clicks: RecommendationClick[],
): Pick<AttributedLine, "kind" | "recommendationId"> | null {
  let latest: RecommendationClick | null = null;
  for (const click of clicks) {
    if (click.productId === line.productId && (!latest || click.at > latest.at)) latest = click;
  }
  return latest ? { kind: "click", recommendationId: latest.recommendationId } : null;
}
