import type { Arm } from "../conversion/assignment";
import {
  createStoreCache,
  DEFAULT_HEAD_MS,
  type StoreCache,
  type StoreCacheOptions,
} from "../storefront-store/store-cache.server";
import { TtlCache } from "../storefront-store/ttl-cache";

/** The storefront store's process cache, plus what the holdout remembers per process. */
export interface ServingCache extends StoreCache {
  /** The running experiment per shop and split: a second, like the state. */
  experiments: TtlCache<string>;
  /** Visitors this process already reported as exposed, with their arm: an hour. */
  exposures: TtlCache<Arm>;
}

export function createServingCache(options: StoreCacheOptions = {}): ServingCache {
  return {
    ...createStoreCache(options),
    experiments: new TtlCache(10_000, options.headMs ?? DEFAULT_HEAD_MS),
    exposures: new TtlCache(200_000, 3_600_000),
  };
}
