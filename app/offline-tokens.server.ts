import { db } from "./db.server";
import { env } from "./lib/env.server";
import { createLogger } from "./lib/logger.server";
import { createOfflineTokens, type OfflineTokens } from "./lib/shopify/offline-tokens.server";
import { tokenApi } from "./lib/shopify/shopify-api.server";
import { redisConnection } from "./queues.server";

let tokens: OfflineTokens | undefined;

/** The app process's offline tokens: the same lock and refresh as the workers'. */
export function offlineTokens(): OfflineTokens {
  if (!tokens) {
    const config = env();
    const log = createLogger(config.LOG_LEVEL, { service: "app" });
    tokens = createOfflineTokens({
      db,
      redis: redisConnection(),
      prefix: config.QUEUE_PREFIX,
      api: tokenApi(config, log),
      log,
    });
  }
  return tokens;
}
