import type { CollectionMembers } from "../storefront-store/collection-members.server";

/**
 * A collection page's ranking: the collection's products first, in the order the shopper's
 * ranking gives them, then its other products in the collection's own order (the merchant's
 * sort), then everything else as ranked. The best `take`.
 */
export function collectionFirst(ranked: readonly string[], members: CollectionMembers, take: number): string[] {
  const out: string[] = [];
  for (const id of ranked) if (out.length < take && members.set.has(id)) out.push(id);
  if (out.length < take) {
    const taken = new Set(out);
    for (const id of members.ids) if (out.length < take && !taken.has(id)) out.push(id);
  }
  for (const id of ranked) if (out.length < take && !members.set.has(id)) out.push(id);
  return out;
}
