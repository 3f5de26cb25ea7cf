import { env } from "./lib/env.server";
import { createLogger } from "./lib/logger.server";
import type { EventsHttpDeps } from "./lib/events/http.server";
import { QUEUE_NAMES } from "./lib/queues.server";
import { redisConnection, queue, queueConnected } from "./queues.server";

let deps: EventsHttpDeps | undefined;

/** The app process's events intake: the producer connection, the events queue and the limits. */
export function eventsIntake(): EventsHttpDeps {
  if (deps) return deps;
  const config = env();
  deps = {
    redis: redisConnection(),
    queue: queue(QUEUE_NAMES.events),
    prefix: config.QUEUE_PREFIX,
    limits: {
      perVisitorPerMinute: config.EVENTS_PER_VISITOR_PER_MINUTE,
      perShopPerMinute: config.EVENTS_PER_SHOP_PER_MINUTE,
    },
    maxBytes: config.EVENTS_MAX_BYTES,
    connected: queueConnected,
    log: createLogger(config.LOG_LEVEL, { service: "app", route: "events" }),
  };
  return deps;
}
