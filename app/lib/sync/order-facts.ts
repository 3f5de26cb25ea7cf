import type { OrderFacts } from "../conversion/order-facts.server";
import type { OrderRecord } from "./records";

/** From the record the ingest just stored: no need to read it back. */
export function orderFactsFromRecord(record: OrderRecord): OrderFacts {
  return {
    placedAt: record.processedAt,
    customerId: record.customerShopifyId,
    cancelled: record.cancelledAt !== null,
    test: record.test,
    lines: record.lines.map((l) => ({
      lineId: l.shopifyId,
      productId: l.productShopifyId,
      quantity: l.quantity,
      price: l.price,
      properties: l.properties,
    })),
  };
}
