import type { Db } from "../database/client.server";
import { addDays, DEFAULT_TIME_ZONE, localDay } from "../time-zone";

/** Shopify gives the merchant 30 days to hand a customer's data over. */
export const DATA_REQUEST_DAYS = 30;

export type DataRequestStatus = "downloaded" | "due" | "overdue";

export interface DataRequestRow {
  id: string;
  customerShopifyId: string;
  /** The shop's calendar days (YYYY-MM-DD) the request arrived and falls due. */
  receivedOn: string;
  dueOn: string;
  status: DataRequestStatus;
  downloadedOn: string | null;
}

/**
 * The shop's customers/data_request reports, newest first, with the day each is due: 30
 * calendar days after the day Shopify's request arrived, on the shop's calendar (not 30 × 24 h,
 * which a DST change would push onto the next day). Overdue from the day after.
 */
export async function listDataRequests(
  db: Db,
  shop: { id: string; timeZone?: string },
  now = new Date(),
): Promise<DataRequestRow[]> {
  const zone = shop.timeZone ?? DEFAULT_TIME_ZONE;
  const rows = await db.dataRequest.findMany({
    where: { shopId: shop.id },
    orderBy: { createdAt: "desc" },
    select: { id: true, customerShopifyId: true, createdAt: true, downloadedAt: true },
  });
  const today = localDay(now, zone);
  return rows.map((row) => {
    const receivedOn = localDay(row.createdAt, zone);
    const dueOn = addDays(receivedOn, DATA_REQUEST_DAYS);
    return {
      id: row.id,
      customerShopifyId: row.customerShopifyId,
      receivedOn,
      dueOn,
      status: row.downloadedAt ? "downloaded" : today > dueOn ? "overdue" : "due",
      downloadedOn: row.downloadedAt ? localDay(row.downloadedAt, zone) : null,
    };
  });
}

export interface DataRequestFile {
  filename: string;
  /** The stored report, as JSON text. */
  body: string;
}

/**
 * One report of the shop as a file to download, marked as downloaded. Null when the shop has no
 * such report: the id is looked up within the session's shop only, so another shop's id finds
 * nothing.
 */
export async function downloadDataRequest(
  db: Db,
  shopId: string,
  id: string,
  now = new Date(),
): Promise<DataRequestFile | null> {
  const row = await db.dataRequest.findFirst({
    where: { id, shopId },
    select: { id: true, customerShopifyId: true, createdAt: true, report: true },
  });
  if (!row) return null;
  await db.dataRequest.update({ where: { id: row.id }, data: { downloadedAt: now } });
  const day = row.createdAt.toISOString().slice(0, 10);
  // Shopify's customer ids are digits; anything else is kept out of the header.
  const customer = row.customerShopifyId.replace(/[^A-Za-z0-9_-]/g, "_");
  return { filename: `affinity-customer-${customer}-${day}.json`, body: row.report };
}
