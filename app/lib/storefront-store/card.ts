/**
 * Product cards: what the storefront block needs to draw a product, plus what the business rules
 * need to decide whether it may be shown. Built from our catalog copy whenever a product changes,
 * kept in Redis, and read on the hot path without touching the database.
 */
export interface ProductCard {
  id: string;
  /** The variant add-to-cart uses: the first available one, else the first. */
  variantId: string | null;
  title: string;
  url: string;
  image: { url: string; width: number | null; height: number | null; alt: string } | null;
  price: number;
  compareAtPrice: number | null;
  available: boolean;
}

export interface StoredCard extends ProductCard {
  /** Shopify's updated_at (ms) of the version the card was built from. */
  version: number;
  /** Active, published to the online store, and not deleted. */
  visible: boolean;
  giftCard: boolean;
  tags: string[];
}

export interface CatalogProduct {
  shopifyId: string;
  title: string;
  handle: string;
  status: string;
  isGiftCard: boolean;
  publishedAt: Date | null;
  tags: string;
  imageUrl: string | null;
  imageWidth: number | null;
  imageHeight: number | null;
  imageAlt: string | null;
  shopifyUpdatedAt: Date;
  deletedAt: Date | null;
  variants: CatalogVariant[];
}

export interface CatalogVariant {
  shopifyId: string;
  price: { toString(): string };
  compareAtPrice: { toString(): string } | null;
  available: boolean;
  position: number;
}

export function cardFromProduct(product: CatalogProduct): StoredCard {
  const variants = [...product.variants].sort((a, b) => a.position - b.position);
  const chosen = variants.find((v) => v.available) ?? variants[0];
  const price = chosen ? Number(chosen.price.toString()) : 0;
  const compareAt = chosen?.compareAtPrice ? Number(chosen.compareAtPrice.toString()) : null;
  return {
    id: product.shopifyId,
    variantId: chosen?.shopifyId ?? null,
    title: product.title,
    url: `/products/${product.handle}`,
    image: product.imageUrl
      ? {
          url: product.imageUrl,
          width: product.imageWidth,
          height: product.imageHeight,
          alt: product.imageAlt ?? product.title,
        }
      : null,
    price,
    // Only a real markdown is shown struck through.
    compareAtPrice: compareAt !== null && compareAt > price ? compareAt : null,
    available: variants.some((v) => v.available),
    // A delete is newer than any update, so its card wins over a late update's.
    version: Math.max(product.shopifyUpdatedAt.getTime(), product.deletedAt?.getTime() ?? 0),
    visible: product.deletedAt === null && product.status === "active" && product.publishedAt !== null,
    giftCard: product.isGiftCard,
    tags: product.tags
      .split(",")
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  };
}

/** The card as the block receives it (the rule fields stay on the server). */
const publicJson = new WeakMap<StoredCard, string>();

/**
 * The card as the storefront's JSON, serialized once per cached card object: a busy storefront
 * shows the same few hundred products over and over.
 */
export function publicCardJson(card: StoredCard): string {
  let json = publicJson.get(card);
  if (json === undefined) {
    json = JSON.stringify(publicCard(card));
    publicJson.set(card, json);
  }
  return json;
}

export function publicCard(card: StoredCard): ProductCard {
  const { id, variantId, title, url, image, price, compareAtPrice, available } = card;
  return { id, variantId, title, url, image, price, compareAtPrice, available };
}
