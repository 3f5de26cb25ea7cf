/**
 * Training examples from order history (brief: "each order after a customer's first is a
 * target, and what came before it is the input"), built with the features as of the
 * order's own timestamp. The evaluation cases are the same kind of row for the last order.
 */
import type { ShopData } from "./dataset";
import { buildFeatureRow, type FeatureOptions, type PastPurchase } from "./features";
import type { TrainingExample } from "./dnn";
import type { ShopSnapshots } from "./snapshots";
import type { EvalCase } from "./split";

export interface TimedExample extends TrainingExample {
  customer: number;
  /** Epoch ms of the target order: the example may train a model only for cutoffs after it. */
  at: number;
  /** Set when this row is an evaluation case (a customer's last order). */
  evalCase?: EvalCase;
}

export function purchasesOf(data: ShopData, orderIndices: readonly number[]): PastPurchase[] {
  return orderIndices.flatMap((i) => {
    const order = data.orders[i];
    return order
      ? Array.from(order.items, (item, k) => ({ item, at: order.at, quantity: order.quantities[k] ?? 1 }))
      : [];
  });
}

export function buildExamples(
  data: ShopData,
  cases: readonly EvalCase[],
  snapshots: ShopSnapshots,
  options: FeatureOptions = {},
): TimedExample[] {
  const caseByOrder = new Map(cases.map((c) => [c.targetOrder, c]));
  const scratch = new Float32Array(2 * data.productIds.length);
  const examples: TimedExample[] = [];
  data.ordersByCustomer.forEach((orderIdx, customer) => {
    if (orderIdx.length < 2) return;
    const purchases = purchasesOf(data, orderIdx);
    orderIdx.forEach((oi, k) => {
      const order = data.orders[oi];
      const evalCase = caseByOrder.get(oi);
      if (!order || (k === 0 && !evalCase)) return;
      const row = buildFeatureRow(snapshots, purchases, order.at, scratch, options);
      // Orders sharing a timestamp with an earlier one have no usable past: nothing to learn.
      if (row.inputIndex.length === 0 && !evalCase) return;
      examples.push({ customer, at: order.at, row, targets: order.items, evalCase });
    });
  });
  return examples.sort((a, b) => a.at - b.at || a.customer - b.customer);
}
