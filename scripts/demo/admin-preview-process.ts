import path from "node:path";
import { DEMO_API_KEY, DEMO_API_SECRET, type DemoPaths } from "./config";
import { startChild, type DemoChild } from "./processes";

/**
 * Starts the admin preview (admin-preview.ts) beside the app. NODE_ENV is passed through, not
 * overridden: run with NODE_ENV=production, the preview refuses to start and this step fails.
 */
export async function startAdminPreview(
  paths: DemoPaths,
  options: { port: number; appOrigin: string; shop: string },
): Promise<{ child: DemoChild; url: string }> {
  const script = path.join(paths.root, "scripts/demo/admin-preview.ts");
  const child = await startChild(paths, {
    name: "admin-preview",
    command: process.execPath,
    args: ["--import", "tsx", script],
    identity: script,
    cwd: paths.root,
    env: {
      NODE_ENV: process.env.NODE_ENV ?? "development",
      APP_ORIGIN: options.appOrigin,
      ADMIN_PREVIEW_PORT: String(options.port),
      SHOP: options.shop,
      SHOPIFY_API_KEY: DEMO_API_KEY,
      SHOPIFY_API_SECRET: DEMO_API_SECRET,
    },
    ready: /Affinity admin preview on/,
  });
  return { child, url: `http://127.0.0.1:${options.port}/` };
}
