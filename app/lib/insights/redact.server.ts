/**
 * customers/redact: takes off one customer what Affinity wrote to them in Shopify (the segment tag
 * and the $app:affinity metafields), then forgets them. One customer needs no bulk operation, so
 * this uses the plain tagsRemove and metafieldsDelete mutations. Only what CustomerInsightWrite
 * records as confirmed written is removed; a customer with nothing recorded costs no API call.
 */
import { z } from "zod";
import type { Db } from "../database/client.server";
import type { AdminGraphql } from "../shopify/admin-client.server";
import { InsightWriteError } from "./errors";
import { METAFIELD_NAMESPACE } from "./plan";

const TAGS_REMOVE = `mutation AffinityRedactTags($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) { node { id } userErrors { field message } }
}`;
const METAFIELDS_DELETE = `mutation AffinityRedactMetafields($metafields: [MetafieldIdentifierInput!]!) {
  metafieldsDelete(metafields: $metafields) { deletedMetafields { key } userErrors { field message } }
}`;

const userErrors = z.object({ userErrors: z.array(z.object({ message: z.string() })) });
const tagsRemoveData = z.object({ tagsRemove: userErrors });
const metafieldsDeleteData = z.object({ metafieldsDelete: userErrors });
/** Shopify's wording for an id that names no customer (deleted since): nothing is left to remove. */
const GONE = /does not exist|not found|invalid id/i;

export interface RedactRemoval {
  /** Admin API mutations sent. */
  sent: number;
  /** Shopify said the customer no longer exists. */
  gone: boolean;
}

export async function removeRedactedInsights(
  db: Db,
  admin: AdminGraphql,
  shopId: string,
  customerShopifyId: string,
): Promise<RedactRemoval> {
  const where = { shopId_customerShopifyId: { shopId, customerShopifyId } };
  const row = await db.customerInsightWrite.findUnique({ where });
  // No row: nothing was written, or an insight write already removed it. A row not marked redacted
  // belongs to a customer written after the redaction and is the regular write's business.
  if (!row?.redacted) return { sent: 0, gone: false };
  const ownerId = `gid://shopify/Customer/${customerShopifyId}`;
  let sent = 0;
  let gone = false;
  if (row.tag) {
    sent++;
    const data = tagsRemoveData.parse(await admin(TAGS_REMOVE, { id: ownerId, tags: [row.tag] }));
    gone = judge(data.tagsRemove.userErrors, "tagsRemove");
    // Recorded at once, so a retry after a later failure does not send it again.
    if (!gone) await db.customerInsightWrite.update({ where, data: { tag: null } });
  }
  const keys = row.metafields ? Object.keys(z.record(z.string(), z.unknown()).parse(JSON.parse(row.metafields))) : [];
  if (!gone && keys.length > 0) {
    sent++;
    const metafields = keys.map((key) => ({ ownerId, namespace: METAFIELD_NAMESPACE, key }));
    const data = metafieldsDeleteData.parse(await admin(METAFIELDS_DELETE, { metafields }));
    gone = judge(data.metafieldsDelete.userErrors, "metafieldsDelete");
  }
  await db.customerInsightWrite.deleteMany({ where: { shopId, customerShopifyId, redacted: true } });
  return { sent, gone };
}

/** True when the customer is gone; throws for any other refusal (the row stays, marked redacted). */
function judge(errors: Array<{ message: string }>, kind: string): boolean {
  if (errors.length === 0) return false;
  const messages = errors.map((e) => e.message);
  if (messages.some((m) => GONE.test(m))) return true;
  // Not fixable by sending the same again; the next insight write plans the removal anew.
  throw new InsightWriteError(`Shopify refused ${kind} for a redacted customer: ${messages.join("; ")}`, false);
}
