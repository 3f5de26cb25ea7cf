import type { StorefrontProduct } from "../../../dev/storefront/proxy-liquid";

/**
 * Products the stand-in app proxy answers with, in the shape the block expects from
 * `GET /apps/affinity/recommendations` (see docs/decisions/006-storefront-block.md). Images are
 * SVGs the test server draws itself, so the page never needs the network.
 */
export interface RecommendedProduct {
  id: string;
  variantId: string;
  title: string;
  url: string;
  image: { url: string; width: number; height: number; alt: string } | null;
  price: number;
  compareAtPrice: number | null;
  available: boolean;
}

export interface RecommendationsResponse {
  recommendationId: string;
  products: RecommendedProduct[];
}

interface Art {
  background: string;
  ink: string;
  shape: string;
}

// Simple flat illustrations on a 600x600 canvas, one per product.
const ART: Record<string, Art> = {
  "linen-shirt": {
    background: "#e9e4da",
    ink: "#7d8f74",
    shape: `<path d="M220 150 L260 130 Q300 170 340 130 L380 150 L460 210 L420 270 L390 250 L390 470 L210 470 L210 250 L180 270 L140 210 Z"/>`,
  },
  "stoneware-mug": {
    background: "#dfe7ec",
    ink: "#35546b",
    shape: `<rect x="190" y="200" width="180" height="220" rx="22"/><path d="M370 250 h30 a55 55 0 0 1 0 110 h-30 v-28 h28 a27 27 0 0 0 0-54 h-28 z"/>`,
  },
  "canvas-tote": {
    background: "#f1e6d4",
    ink: "#b0703c",
    shape: `<path d="M230 240 v-40 a70 70 0 0 1 140 0 v40 h-24 v-40 a46 46 0 0 0-92 0 v40 z"/><rect x="180" y="240" width="240" height="240" rx="14"/>`,
  },
  "merino-beanie": {
    background: "#ece1e4",
    ink: "#8e3b4f",
    shape: `<path d="M170 380 a130 150 0 0 1 260 0 z"/><rect x="160" y="370" width="280" height="70" rx="18"/><circle cx="300" cy="205" r="34"/>`,
  },
  "beeswax-candle": {
    background: "#f3ecd9",
    ink: "#c69a2b",
    shape: `<rect x="240" y="250" width="120" height="220" rx="10"/><path d="M300 170 q32 40 0 70 q-32 -30 0 -70 z"/>`,
  },
  "dot-grid-notebook": {
    background: "#e3e6e0",
    ink: "#2f4a3a",
    shape: `<rect x="190" y="140" width="220" height="320" rx="14"/><rect x="372" y="140" width="14" height="320" fill="#e3e6e0"/>`,
  },
  "terracotta-planter": {
    background: "#f4e3da",
    ink: "#b65c3a",
    shape: `<path d="M200 330 h200 l-26 150 h-148 z"/><ellipse cx="300" cy="250" rx="34" ry="80" fill="#5f7f52"/><ellipse cx="250" cy="280" rx="26" ry="56" fill="#5f7f52" transform="rotate(-30 250 280)"/><ellipse cx="350" cy="280" rx="26" ry="56" fill="#5f7f52" transform="rotate(30 350 280)"/>`,
  },
  "olive-wood-board": {
    background: "#ebe5dc",
    ink: "#8a6a48",
    shape: `<rect x="150" y="230" width="280" height="160" rx="60"/><rect x="420" y="290" width="70" height="40" rx="20"/>`,
  },
};

export function productArtSvg(handle: string): string | undefined {
  const art = ART[handle];
  if (!art) return undefined;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600" viewBox="0 0 600 600"><rect width="600" height="600" fill="${art.background}"/><g fill="${art.ink}">${art.shape}</g></svg>`;
}

const CATALOG: Array<Omit<RecommendedProduct, "image" | "url"> & { handle: string }> = [
  {
    id: "8120001",
    variantId: "4412001",
    handle: "linen-shirt",
    title: "Washed Linen Shirt",
    price: 58,
    compareAtPrice: 72,
    available: true,
  },
  {
    id: "8120002",
    variantId: "4412002",
    handle: "stoneware-mug",
    title: "Stoneware Mug",
    price: 12.5,
    compareAtPrice: null,
    available: true,
  },
  {
    id: "8120003",
    variantId: "4412003",
    handle: "canvas-tote",
    title: "Heavy Canvas Tote Bag with Inside Pocket",
    price: 24,
    compareAtPrice: null,
    available: true,
  },
  {
    id: "8120004",
    variantId: "4412004",
    handle: "merino-beanie",
    title: "Merino Rib Beanie",
    price: 29.95,
    compareAtPrice: null,
    available: false,
  },
  {
    id: "8120005",
    variantId: "4412005",
    handle: "beeswax-candle",
    title: "Beeswax Pillar Candle",
    price: 16,
    compareAtPrice: 20,
    available: true,
  },
  {
    id: "8120006",
    variantId: "4412006",
    handle: "dot-grid-notebook",
    title: "Dot Grid Notebook A5",
    price: 14,
    compareAtPrice: null,
    available: true,
  },
  {
    id: "8120007",
    variantId: "4412007",
    handle: "terracotta-planter",
    title: "Terracotta Planter",
    price: 32,
    compareAtPrice: null,
    available: true,
  },
  {
    id: "8120008",
    variantId: "4412008",
    handle: "olive-wood-board",
    title: "Olive Wood Serving Board",
    price: 45,
    compareAtPrice: null,
    available: true,
  },
];

/** The catalog as the proxy returns it: relative product URLs, images on the same origin. */
export const PRODUCTS: RecommendedProduct[] = CATALOG.map(({ handle, ...product }) => ({
  ...product,
  url: `/products/${handle}`,
  image: { url: `/images/${handle}.svg`, width: 600, height: 600, alt: product.title },
}));

export function productByHandle(handle: string): (RecommendedProduct & { handle: string }) | undefined {
  const entry = CATALOG.find((p) => p.handle === handle);
  const product = PRODUCTS.find((p) => p.id === entry?.id);
  return entry && product ? { ...product, handle } : undefined;
}

/*
 * The storefront's languages and markets. French titles come from "Translate & Adapt" for some
 * products only (the rest fall back to the default title). The FR market sells in euros: a price
 * list fixes some prices (not the plain conversion at the market's rate), one product is not
 * sold there, and one is sold out there though in stock at home.
 */
export const TRANSLATIONS: Record<string, Record<string, string>> = {
  fr: {
    "8120001": "Chemise en lin lavé",
    "8120002": "Mug en grès",
    "8120006": "Carnet à points A5",
    "8120008": "Planche de service en olivier",
  },
};

export interface StandInMarket {
  currency: string;
  /** Conversion from the shop's currency, for products without a price-list price. */
  rate: number;
  priceList: Record<string, { price: number; compareAtPrice?: number | null }>;
  notSold: string[];
  soldOut: string[];
}

export const MARKETS: Record<string, StandInMarket> = {
  GB: { currency: "GBP", rate: 1, priceList: {}, notSold: [], soldOut: [] },
  FR: {
    currency: "EUR",
    rate: 1.2,
    priceList: { "8120002": { price: 14.9 }, "8120008": { price: 49, compareAtPrice: 59 } },
    notSold: ["8120003"],
    soldOut: ["8120005"],
  },
};

/**
 * A B2B company location's catalog, which Shopify applies to a logged-in buyer of that location
 * in place of the market's prices: only the products the catalog publishes, at its fixed prices
 * or its percentage off, with quantity rules (a minimum per order line) on some variants.
 */
export interface StandInCatalog {
  currency: string;
  priceList: Record<string, number>;
  /** Off the shop's price for products without a fixed price. */
  percentOff: number;
  /** Products the catalog publishes; the rest do not exist for its buyers. */
  published: string[];
  /** Quantity rule minimums by product id (Shopify's `variant.quantity_rule.min`); 1 elsewhere. */
  minimums: Record<string, number>;
}

export const B2B_CATALOGS: Record<string, StandInCatalog> = {
  "leeds-cafe": {
    currency: "GBP",
    priceList: { "8120002": 8.75 },
    percentOff: 20,
    published: ["8120001", "8120002", "8120004", "8120005", "8120006", "8120008"],
    minimums: { "8120002": 6 },
  },
};

/** Units of a variant the shop holds, where it is limited: more in one cart is refused (422). */
export const STOCK: Record<string, number> = { "4412006": 1 };

export const marketOf = (country: string): StandInMarket => MARKETS[country] ?? MARKETS.GB!;

/**
 * A product as a shopper in `locale` and the market of `country` sees it, or a B2B buyer of
 * `companyLocation` (its catalog's prices and quantity rules); undefined if not sold to them.
 */
export function storefrontProduct(
  handle: string,
  locale: string,
  country: string,
  companyLocation?: string,
): StorefrontProduct | undefined {
  const product = productByHandle(handle);
  const catalog = companyLocation ? B2B_CATALOGS[companyLocation] : undefined;
  if (catalog) return product && catalogProduct(product, catalog, locale);
  const market = marketOf(country);
  if (!product || market.notSold.includes(product.id)) return undefined;
  const listed = market.priceList[product.id];
  const convert = (n: number) => Math.round(n * market.rate * 100) / 100;
  const compareAt = listed
    ? (listed.compareAtPrice ?? null)
    : product.compareAtPrice === null
      ? null
      : convert(product.compareAtPrice);
  return {
    id: product.id,
    handle,
    title: TRANSLATIONS[locale]?.[product.id] ?? product.title,
    variantId: product.variantId,
    price: listed ? listed.price : convert(product.price),
    compareAtPrice: compareAt,
    available: product.available && !market.soldOut.includes(product.id),
    image: product.image,
  };
}

function catalogProduct(
  product: NonNullable<ReturnType<typeof productByHandle>>,
  catalog: StandInCatalog,
  locale: string,
): StorefrontProduct | undefined {
  if (!catalog.published.includes(product.id)) return undefined;
  return {
    id: product.id,
    handle: product.handle,
    title: TRANSLATIONS[locale]?.[product.id] ?? product.title,
    variantId: product.variantId,
    price: catalog.priceList[product.id] ?? Math.round(product.price * (100 - catalog.percentOff)) / 100,
    // A catalog price is the buyer's price, not a sale: no compare-at price.
    compareAtPrice: null,
    available: product.available,
    image: product.image,
    minQuantity: catalog.minimums[product.id] ?? 1,
  };
}
