import type { Db } from "../database/client.server";
import { activateWebPixel, PixelActivationError } from "../pixel/activate.server";
import { loadPixelSettings } from "../pixel/settings";
import { AdminApiError, type AdminGraphql } from "../shopify/admin-client.server";
import { addDays, dayLabelDate, DEFAULT_TIME_ZONE, localDay } from "../time-zone";

const FIND = `#graphql
  query AffinityPixelStatus { webPixel { id } }`;

/**
 * Whether Shopify has the app's web pixel for this shop: true or false, or null when Shopify
 * could not be asked (network, throttling). Shopify answers a shop without the app's pixel with
 * a null pixel or a NOT_FOUND error, depending on the version; both mean "not connected".
 */
export async function pixelConnected(admin: AdminGraphql): Promise<boolean | null> {
  try {
    const { webPixel } = await admin<{ webPixel: { id: string } | null }>(FIND);
    return webPixel !== null;
  } catch (error) {
    if (error instanceof AdminApiError && error.codes.includes("NOT_FOUND")) return false;
    if (error instanceof AdminApiError || error instanceof TypeError) return null;
    throw error;
  }
}

/**
 * Events the web pixel reported in the last `days` days: product views, add to carts from
 * anywhere, and completed checkouts, summed over the daily rollup rows (at most a few per day).
 */
export async function recentPixelEvents(
  db: Db,
  shopId: string,
  now: Date,
  days = 7,
  timeZone = DEFAULT_TIME_ZONE,
): Promise<number> {
  const from = dayLabelDate(addDays(localDay(now, timeZone), -(days - 1)));
  const { _sum } = await db.dailyRollup.aggregate({
    where: { shopId, day: { gte: from } },
    _sum: { productViews: true, cartAdds: true, checkouts: true },
  });
  return (_sum.productViews ?? 0) + (_sum.cartAdds ?? 0) + (_sum.checkouts ?? 0);
}

/**
 * "Connect pixel" on the home page: activates (or re-activates) the app's web pixel with the
 * settings the extension declares. Safe to repeat: an existing pixel is updated, not duplicated.
 */
export async function connectPixel(admin: AdminGraphql): Promise<{ ok: boolean; message: string }> {
  try {
    await activateWebPixel(admin, loadPixelSettings());
    return { ok: true, message: "Pixel connected. Sales are credited from the next visit on." };
  } catch (error) {
    if (error instanceof PixelActivationError || error instanceof AdminApiError) {
      return { ok: false, message: `Shopify did not connect the pixel: ${error.message}` };
    }
    throw error;
  }
}
