import type { Queue } from "bullmq";

/**
 * Recurring jobs are BullMQ job schedulers whose id names the shop, e.g. "train@shop.myshopify.com",
 * so everything a shop has scheduled can be found and stopped when it uninstalls.
 */
export function shopSchedulerId(kind: string, shopDomain: string): string {
  return `${kind}@${shopDomain}`;
}

export async function removeShopSchedulers(queues: Queue[], shopDomain: string): Promise<number> {
  let removed = 0;
  for (const queue of queues) {
    const schedulers = await queue.getJobSchedulers();
    for (const scheduler of schedulers) {
      const id = scheduler.id ?? scheduler.key;
      if (id.endsWith(`@${shopDomain}`) && (await queue.removeJobScheduler(id))) removed += 1;
    }
  }
  return removed;
}
