import type { ChurnOrder } from "../../app/lib/churn/types";
import { seededRandom } from "../../app/lib/tf/seeded-random";

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);

/**
 * A shop whose churners are known: every customer orders about every 20 days; a churner's gaps
 * widen (x1.6 each order) from a random day in the middle of the history on, and they stop
 * altogether. Loyal customers keep their rhythm to the end. `end` is the history's last day.
 */
export function syntheticChurnShop(customers: number, options: { seed?: number; days?: number } = {}) {
  const { seed = 3, days = 400 } = options;
  const end = START + days * DAY;
  const random = seededRandom(seed);
  const orders: ChurnOrder[] = [];
  const churners = new Set<string>();
  for (let c = 0; c < customers; c++) {
    const id = `c${c}`;
    const churner = random() < 0.5;
    if (churner) churners.add(id);
    // Fading starts between a quarter and seven eighths of the way through (days 100–350 of 400).
    const fadeFrom = START + (days / 4 + random() * ((days * 5) / 8)) * DAY;
    let t = START + random() * 30 * DAY;
    let gap = 15 + random() * 10;
    while (t < end) {
      orders.push({ customerId: id, at: new Date(t), total: 20 + random() * 80 });
      if (churner && t > fadeFrom) gap *= 1.6;
      t += (gap + (random() - 0.5) * 6) * DAY;
    }
  }
  return { orders, churners, end };
}
