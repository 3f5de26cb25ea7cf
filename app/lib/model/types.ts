/** What the model layer needs from a shop; the DB layer maps its rows to these. */

export interface HistoryItem {
  productId: string;
  quantity: number;
  price: number;
}

export interface HistoryOrder {
  orderId: string;
  customerId: string;
  at: Date;
  items: HistoryItem[];
  /**
   * Discounts given on the order, in shop currency: what its lines cost before discounts minus
   * its subtotal (Shopify's subtotal is after discounts, before shipping and tax). Known for
   * orders read from the database; the churn model reads it (ADR 013).
   */
  discount?: number;
}

export interface CatalogItem {
  productId: string;
  title: string;
  productType?: string;
  vendor?: string;
  tags?: string[];
  price?: number;
  available?: boolean;
}

/** One order after indexing: unique item indices, quantities merged per item. */
export interface IndexedOrder {
  orderId: string;
  customer: number;
  /** Epoch milliseconds. */
  at: number;
  items: Int32Array;
  quantities: Float32Array;
  /** Mean unit price per item, aligned with `items` (0 when unknown). */
  prices: Float32Array;
}

/** A product list ranked best first, as item indices. */
export type Ranking = readonly number[];
