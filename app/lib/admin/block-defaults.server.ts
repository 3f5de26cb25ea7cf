import type { AdminGraphql } from "../shopify/admin-client.server";
import type { ShopSettings } from "../settings/settings-schema";

/** metafieldsSet reported userErrors. */
export class MetafieldWriteError extends Error {
  override name = "MetafieldWriteError";
}

/**
 * Where the block reads its defaults: an app-data metafield on the app installation, which
 * theme app extensions see as `app.metafields.affinity.block_defaults` (no theme redeploy, and
 * neither merchants nor other apps can overwrite it).
 */
export const BLOCK_DEFAULTS_METAFIELD = { namespace: "affinity", key: "block_defaults", type: "json" } as const;

const INSTALLATION = `#graphql
  query AffinityAppInstallation { currentAppInstallation { id } }`;

const SET = `#graphql
  mutation AffinityBlockDefaults($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { id }
      userErrors { field message code }
    }
  }`;

interface SetResult {
  metafieldsSet: {
    metafields: Array<{ id: string }> | null;
    userErrors: Array<{ message: string; code: string | null }>;
  };
}

/** Publishes the block defaults to the shop's theme. */
export async function publishBlockDefaults(admin: AdminGraphql, block: ShopSettings["block"]): Promise<void> {
  const { currentAppInstallation } = await admin<{ currentAppInstallation: { id: string } }>(INSTALLATION);
  const { metafieldsSet } = await admin<SetResult>(SET, {
    metafields: [{ ...BLOCK_DEFAULTS_METAFIELD, ownerId: currentAppInstallation.id, value: JSON.stringify(block) }],
  });
  if (metafieldsSet.userErrors.length > 0) {
    throw new MetafieldWriteError(metafieldsSet.userErrors.map((e) => e.message).join("; "));
  }
}
