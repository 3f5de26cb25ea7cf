/**
 * The scale benchmark's Shopify: signed webhooks spread over several app processes, 64 in
 * flight, each retried until it is acknowledged (200), as Shopify retries a 5xx or a dropped
 * connection. An acknowledged webhook must end up in the database exactly once.
 */
import http from "node:http";
import { signWebhook } from "../test/helpers/webhooks";
import { customerPayload, orderPayload, productPayload } from "../test/fixtures/shopify-payloads";

export interface Delivery {
  shop: string;
  topic: "orders/create" | "products/create" | "customers/update";
  /** Unique per shop and topic: each delivery makes exactly one row. */
  id: number;
}

/** The JSON body Shopify would send for this delivery. */
export function payloadOf(d: Delivery): unknown {
  if (d.topic === "products/create") return productPayload(d.id);
  if (d.topic === "customers/update") return customerPayload(d.id);
  const order = orderPayload(d.id);
  return { ...order, customer: { ...order.customer, id: 1_000_000 + (d.id % 500) } };
}

export interface Acknowledged {
  delivery: Delivery;
  /** When it was first sent (ms since epoch): the start of its webhook-to-row time. */
  firstSentAt: number;
  attempts: number;
}

export class Sender {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  readonly acknowledged: Acknowledged[] = [];
  retries = 0;
  private turn = 0;

  constructor(private origins: string[]) {}

  /** Stops sending to an origin (its process was killed); what it had in flight is retried elsewhere. */
  drop(origin: string) {
    this.origins = this.origins.filter((o) => o !== origin);
  }

  /** Sends each delivery until acknowledged, `inFlight` at a time; resolves when all are. */
  async sendAll(deliveries: Delivery[], inFlight = 64): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < deliveries.length) await this.deliver(deliveries[next++]!);
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
  }

  async deliver(delivery: Delivery): Promise<void> {
    const webhookId = `${delivery.shop}-${delivery.topic}-${delivery.id}`.replace(/[^A-Za-z0-9-]/g, "-");
    const signed = signWebhook({ topic: delivery.topic, shop: delivery.shop, payload: payloadOf(delivery), webhookId });
    const firstSentAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      const origin = this.origins[this.turn++ % this.origins.length]!;
      const status = await this.post(origin, signed.headers, signed.body).catch(() => 0);
      if (status === 200) {
        this.acknowledged.push({ delivery, firstSentAt, attempts: attempt });
        return;
      }
      if (status !== 503 && status !== 0) throw new Error(`webhook answered ${status}`);
      this.retries++;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private post(origin: string, headers: Record<string, string>, body: string) {
    const { hostname, port } = new URL(origin);
    return new Promise<number>((resolve, reject) => {
      const req = http.request(
        { hostname, port, path: "/webhooks", method: "POST", agent: this.agent, timeout: 10_000 },
        (res) => {
          res.resume();
          res.once("end", () => resolve(res.statusCode ?? 0));
        },
      );
      for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
      req.setHeader("Content-Length", Buffer.byteLength(body));
      req.once("timeout", () => req.destroy(new Error("timeout")));
      req.once("error", reject);
      req.end(body);
    });
  }

  close() {
    this.agent.destroy();
  }
}
