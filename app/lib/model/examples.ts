/**
 * Training examples from order history (brief: "each order after a customer's first is a
 * target, and what came before it is the input"), built with the features as of the
 * order's own timestamp. The evaluation cases are the same kind of row for the last order.
 */
import type { ShopData } from "./dataset";
import { CustomerState, type PastOrder } from "./customer-state";
import { buildFeatureRow, type FeatureOptions } from "./features";
import type { TrainingExample } from "./dnn";
import type { ShopSnapshots } from "./snapshots";
import type { EvalCase } from "./split";
import type { ReadMomentOf } from "./stale-reads";

export interface TimedExample extends TrainingExample {
  customer: number;
  /** Epoch ms of the target order: the example may train a model only for cutoffs after it. */
  at: number;
  /** Set when this row is an evaluation case (a customer's last order). */
  evalCase?: EvalCase;
  /** Ms later than `at` that the shopper's history was read: a stale training read (stale-reads.ts). */
  staleBy?: number;
}

export function pastOrdersOf(data: ShopData, orderIndices: readonly number[]): PastOrder[] {
  return orderIndices.flatMap((i) => {
    const order = data.orders[i];
    return order ? [{ at: order.at, items: order.items, quantities: order.quantities }] : [];
  });
}

export function buildExamples(
  data: ShopData,
  cases: readonly EvalCase[],
  snapshots: ShopSnapshots,
  options: FeatureOptions = {},
  /** Training rows' read moments (stale-reads.ts); absent: every row is read at its basket. */
  readMoment?: ReadMomentOf,
): TimedExample[] {
  const caseByOrder = new Map(cases.map((c) => [c.targetOrder, c]));
  const scratch = new Float32Array(2 * data.productIds.length);
  const examples: TimedExample[] = [];
  data.ordersByCustomer.forEach((orderIdx, customer) => {
    const views = data.viewsByCustomer[customer] ?? [];
    if (orderIdx.length < 2 && views.length === 0) return;
    const state = new CustomerState(options.inputDays);
    const orders = pastOrdersOf(data, orderIdx);
    let added = 0;
    let viewed = 0;
    orderIdx.forEach((oi) => {
      const order = data.orders[oi];
      if (!order) return;
      // Strictly earlier orders and views only: one at the same moment is not "before".
      while (added < orders.length && orders[added]!.at < order.at) state.add(orders[added++]!);
      while (viewed < views.length && views[viewed]!.at < order.at) {
        state.addView(views[viewed]!.item, views[viewed]!.at);
        viewed++;
      }
      const evalCase = caseByOrder.get(oi);
      // No earlier order and no view (a first order, or one sharing its timestamp with the
      // first): no history to learn from.
      if (state.orders === 0 && state.views.size === 0 && !evalCase) return;
      // Evaluation rows are always read at the basket: they measure, they do not train.
      const read = evalCase || !readMoment ? undefined : readMoment(customer, oi, order.at);
      const row = buildFeatureRow(snapshots, state, read?.shopAt ?? order.at, scratch, options, read?.shopperAt);
      const staleBy = read && read.shopperAt !== order.at ? { staleBy: read.shopperAt - order.at } : {};
      examples.push({ customer, at: order.at, row, targets: order.items, evalCase, ...staleBy });
    });
  });
  return examples.sort((a, b) => a.at - b.at || a.customer - b.customer);
}
