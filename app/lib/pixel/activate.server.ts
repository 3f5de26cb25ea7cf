import type { Logger } from "../logger.server";
import type { AdminGraphql } from "../shopify/admin-client.server";

/** webPixelCreate or webPixelUpdate reported userErrors. */
export class PixelActivationError extends Error {
  override name = "PixelActivationError";
  constructor(
    message: string,
    readonly codes: string[],
  ) {
    super(message);
  }
}

interface UserError {
  code: string | null;
  field: string[] | null;
  message: string;
}
interface PixelPayload {
  userErrors: UserError[];
  webPixel: { id: string; settings: string } | null;
}

const CREATE = `#graphql
  mutation AffinityPixelCreate($webPixel: WebPixelInput!) {
    webPixelCreate(webPixel: $webPixel) { userErrors { code field message } webPixel { id settings } }
  }`;
const FIND = `#graphql
  query AffinityPixel { webPixel { id settings } }`;
const UPDATE = `#graphql
  mutation AffinityPixelUpdate($id: ID!, $webPixel: WebPixelInput!) {
    webPixelUpdate(id: $id, webPixel: $webPixel) { userErrors { code field message } webPixel { id settings } }
  }`;

function check(payload: PixelPayload, what: string): { id: string } {
  if (payload.userErrors.length > 0 || !payload.webPixel) {
    const codes = payload.userErrors.map((e) => e.code ?? "UNKNOWN");
    throw new PixelActivationError(`${what}: ${payload.userErrors.map((e) => e.message).join("; ")}`, codes);
  }
  return payload.webPixel;
}

/**
 * Activates the app's web pixel on a shop with validated settings (settings.ts). A shop that had
 * the app before already has the pixel (webPixelCreate answers TAKEN): it is updated instead, so
 * activating is safe on every install and login.
 */
export async function activateWebPixel(
  admin: AdminGraphql,
  settings: Record<string, string>,
): Promise<{ id: string; created: boolean }> {
  const webPixel = { settings: JSON.stringify(settings) };
  const { webPixelCreate } = await admin<{ webPixelCreate: PixelPayload }>(CREATE, { webPixel });
  if (!webPixelCreate.userErrors.some((e) => e.code === "TAKEN")) {
    return { id: check(webPixelCreate, "webPixelCreate").id, created: true };
  }
  const existing = await admin<{ webPixel: { id: string } | null }>(FIND);
  if (!existing.webPixel)
    throw new PixelActivationError("webPixelCreate said TAKEN but no web pixel was found", ["TAKEN"]);
  const { webPixelUpdate } = await admin<{ webPixelUpdate: PixelPayload }>(UPDATE, {
    id: existing.webPixel.id,
    webPixel,
  });
  return { id: check(webPixelUpdate, "webPixelUpdate").id, created: false };
}

/**
 * Install-time activation (afterAuth). A failure is logged, not thrown: a missing pixel costs
 * attribution data, while a failed login would lock the merchant out. The next login retries.
 */
export async function activatePixelAfterAuth(
  admin: AdminGraphql,
  settings: () => Record<string, string>,
  log: Logger,
  shop: string,
): Promise<void> {
  try {
    const { id, created } = await activateWebPixel(admin, settings());
    log.info("pixel.activated", { shop, pixelId: id, created });
  } catch (error) {
    log.warn("pixel.activation_failed", { shop, error });
  }
}
