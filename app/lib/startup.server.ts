import { ConfigError } from "./env.server";
import { PortInUseError } from "./http/listen.server";
import { RedisUnavailableError } from "./redis.server";

/**
 * A start-up problem the operator can fix (bad config, no Redis, a port in use) is printed as one
 * readable line and the process exits 1, with no stack trace; anything else is a bug and is rethrown.
 */
export function exitOnOperatorError(service: string, error: unknown): never {
  if (error instanceof ConfigError || error instanceof RedisUnavailableError || error instanceof PortInUseError) {
    process.stderr.write(`affinity ${service}: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
