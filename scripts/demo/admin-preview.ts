/**
 * The demo's local stand-in for the Shopify admin (see admin-preview-server.ts). It signs admin
 * sessions with the app secret for anyone who can reach it, so it is development-only: it is
 * not part of the app build, listens on 127.0.0.1 only, and refuses to start in production.
 *
 *   NODE_ENV=development APP_ORIGIN=http://localhost:3000 ADMIN_PREVIEW_PORT=3001 \
 *   SHOP=affinity-demo.myshopify.com SHOPIFY_API_KEY=… SHOPIFY_API_SECRET=… npx tsx scripts/demo/admin-preview.ts
 */
import { z } from "zod";

if (process.env.NODE_ENV === "production") {
  process.stderr.write(
    "affinity admin preview: refusing to start with NODE_ENV=production. It hands out admin sessions " +
      "signed with the app secret to anyone who opens it; it exists only for the local demo.\n",
  );
  process.exit(1);
}

const config = z
  .object({
    APP_ORIGIN: z.url(),
    ADMIN_PREVIEW_PORT: z.coerce.number().int().min(1).max(65_535),
    SHOP: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/),
    SHOPIFY_API_KEY: z.string().min(1),
    SHOPIFY_API_SECRET: z.string().min(1),
  })
  .safeParse(process.env);
if (!config.success) {
  process.stderr.write(`affinity admin preview: ${z.prettifyError(config.error)}\n`);
  process.exit(1);
}

const { createAdminPreviewServer } = await import("./admin-preview-server");
const { APP_ORIGIN, ADMIN_PREVIEW_PORT, SHOP, SHOPIFY_API_KEY, SHOPIFY_API_SECRET } = config.data;
const server = createAdminPreviewServer({
  appOrigin: APP_ORIGIN,
  shop: SHOP,
  apiKey: SHOPIFY_API_KEY,
  secret: SHOPIFY_API_SECRET,
});
server.listen(ADMIN_PREVIEW_PORT, "127.0.0.1", () => {
  process.stdout.write(`Affinity admin preview on http://127.0.0.1:${ADMIN_PREVIEW_PORT}/ (app at ${APP_ORIGIN})\n`);
});
const stop = () => server.close(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
