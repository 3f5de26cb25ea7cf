/** What the churn model needs from a shop's orders; the DB layer and the CSV reader map to this. */
export interface ChurnOrder {
  customerId: string;
  at: Date;
  /** Order value after discounts, in shop currency. */
  total: number;
  /** Discount given on the order, when the order data has it. */
  discount?: number;
  /** Amount refunded later, when the order data has it. */
  refunded?: number;
  /** Product types bought, when the catalog has them. */
  categories?: string[];
  /** Distinct products in the order, when known: what kind of buyer (replenishing or one-off) this is. */
  items?: string[];
}

export const DAY_MS = 86_400_000;
