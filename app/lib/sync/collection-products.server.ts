import type { AdminGraphql } from "../shopify/admin-client.server";

/** A collection could not be turned into product ids; the message is for the merchant. */
export class CollectionResolutionError extends Error {
  override name = "CollectionResolutionError";
}

const QUERY = `#graphql
  query AffinityCollectionProducts($id: ID!, $after: String) {
    collection(id: $id) {
      id
      title
      products(first: 250, after: $after) {
        nodes { id }
        pageInfo { hasNextPage endCursor }
      }
    }
  }`;

interface CollectionPage {
  collection: {
    id: string;
    title: string;
    products: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  } | null;
}

/** The stored settings hold this many collection products at most (settings/schema.ts). */
export const MAX_COLLECTION_PRODUCTS = 5_000;

const numericId = (gid: string) => gid.slice(gid.lastIndexOf("/") + 1);

/**
 * One collection's products as numeric ids, in the collection's order, at most `max` of them
 * (more pages are not read); null when the collection does not exist.
 */
export async function collectionProductIds(
  admin: AdminGraphql,
  collectionId: string,
  max: number,
): Promise<string[] | null> {
  const products: string[] = [];
  let after: string | null = null;
  do {
    const page: CollectionPage = await admin<CollectionPage>(QUERY, {
      id: `gid://shopify/Collection/${collectionId}`,
      after,
    });
    if (!page.collection) return null;
    for (const node of page.collection.products.nodes) products.push(numericId(node.id));
    const info = page.collection.products.pageInfo;
    after = info.hasNextPage && products.length < max ? info.endCursor : null;
  } while (after);
  return products.slice(0, max);
}

/**
 * The products in the given collections, as numeric ids, read from the Admin API at save time.
 * Serving then checks a set of ids and never calls Shopify on a shopper's request. A collection
 * that changes later is picked up the next time the merchant saves (the page says so).
 */
export async function resolveCollectionProducts(admin: AdminGraphql, collectionIds: string[]): Promise<string[]> {
  const products = new Set<string>();
  for (const id of collectionIds) {
    // One more than the cap, so a collection over it is noticed without reading all of it.
    const members = await collectionProductIds(admin, id, MAX_COLLECTION_PRODUCTS + 1);
    if (!members) throw new CollectionResolutionError(`Collection ${id} no longer exists. Remove it and save again.`);
    members.forEach((member) => products.add(member));
    if (products.size > MAX_COLLECTION_PRODUCTS) {
      throw new CollectionResolutionError(
        `The excluded collections hold more than ${MAX_COLLECTION_PRODUCTS.toLocaleString("en")} products. ` +
          "Exclude fewer collections, or tag the products and exclude the tag.",
      );
    }
  }
  return [...products];
}
