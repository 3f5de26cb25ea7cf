/**
 * Step 6 of the demo: simulated shoppers (impressions, clicks, add-to-carts, orders, with a
 * holdout) through the real endpoints. Waits for the events pipeline.
 */
export async function simulateShopperTraffic(): Promise<{ events: number; message: string }> {
  return { events: 0, message: "simulated shopper traffic: not yet available" };
}
