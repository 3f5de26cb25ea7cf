import { API_KEY, API_SECRET_KEY } from "@shopify/shopify-api/test-helpers";

/** Shopify is faked at its boundary with the library's own test credentials. */
export const TEST_SHOP = "affinity-test.myshopify.com";

/** The environment every test process (and every process a test starts) runs with. */
export const TEST_ENV: Record<string, string> = {
  NODE_ENV: "test",
  SHOPIFY_API_KEY: API_KEY,
  SHOPIFY_API_SECRET: API_SECRET_KEY,
  SHOPIFY_APP_URL: "https://affinity.test",
  SCOPES: "read_products,read_orders,read_customers",
  DATABASE_URL: "file:./var/test/unused.db",
  REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
  POSTGRES_TEST_URL: process.env.POSTGRES_TEST_URL ?? "postgresql://postgres@127.0.0.1:5432/test",
  QUEUE_PREFIX: "{affinity-test}",
  LOG_LEVEL: "warn",
  TF_BACKEND: "auto",
};
