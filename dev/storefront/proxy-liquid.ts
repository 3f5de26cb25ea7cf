import { Drop, Liquid, type TagToken } from "liquidjs";

/**
 * A product as the storefront shows it to one shopper: in their language, in their market's
 * currency and prices (amounts in major units), with availability in that market.
 */
export interface StorefrontProduct {
  id: string;
  handle: string;
  title: string;
  variantId: string;
  price: number;
  compareAtPrice: number | null;
  available: boolean;
  image: { url: string; width: number; height: number; alt: string } | null;
  /** The variant's quantity rule minimum (B2B catalogs); 1 when absent, as in Shopify. */
  minQuantity?: number;
}

/** The storefront context an App Proxy answer is rendered in (what Shopify takes from the session). */
export interface ProxyStorefront {
  /** `routes.root_url`: "/" or the locale/market prefix ("/fr"). */
  rootUrl: string;
  currency: string;
  /** The product with this handle as this shopper sees it; undefined when the market does not sell it. */
  product(handle: string): StorefrontProduct | undefined | Promise<StorefrontProduct | undefined>;
}

/** `all_products` answers this many distinct handles per page, as Shopify documents. */
const ALL_PRODUCTS_LIMIT = 20;

/** Liquid's view of a product: prices in the currency's subunit, as Shopify's Liquid gives them. */
function productDrop(p: StorefrontProduct) {
  const cents = (n: number | null) => (n === null ? null : Math.round(n * 100));
  return {
    id: Number(p.id),
    handle: p.handle,
    title: p.title,
    available: p.available,
    selected_or_first_available_variant: {
      id: Number(p.variantId),
      price: cents(p.price),
      compare_at_price: cents(p.compareAtPrice),
      available: p.available,
      quantity_rule: { min: p.minQuantity ?? 1, max: null, increment: 1 },
    },
    featured_image: p.image && { src: p.image.url, width: p.image.width, height: p.image.height, alt: p.image.alt },
  };
}

class AllProducts extends Drop {
  private readonly asked = new Set<string>();
  constructor(private readonly store: ProxyStorefront) {
    super();
  }
  override async liquidMethodMissing(handle: unknown) {
    const key = String(handle);
    if (!this.asked.has(key) && this.asked.size >= ALL_PRODUCTS_LIMIT) return undefined;
    this.asked.add(key);
    const product = await this.store.product(key);
    return product ? productDrop(product) : undefined;
  }
}

/**
 * What Shopify does with an App Proxy answer of type `application/liquid`, for the local
 * storefronts: renders it with the shopper's storefront objects (`all_products`, `routes`,
 * `cart`), inside the theme's layout unless it says `{% layout none %}`. A Liquid error is
 * printed into the page, as Shopify prints it, rather than failing the request.
 */
export async function renderProxyLiquid(template: string, store: ProxyStorefront): Promise<string> {
  const engine = new Liquid({ strictFilters: true });
  let layout = true;
  engine.registerTag("layout", {
    parse(token: TagToken) {
      this.none = token.args.trim() === "none";
    },
    render() {
      if (this.none) layout = false;
      return "";
    },
  });
  // Shopify's CDN takes the width as a query parameter.
  engine.registerFilter("image_url", (image: { src?: string } | undefined, ...args: unknown[]) => {
    if (!image?.src) return "";
    const width = (args as Array<[string, unknown]>).find((a) => Array.isArray(a) && a[0] === "width")?.[1];
    return width ? `${image.src}${image.src.includes("?") ? "&" : "?"}width=${Number(width)}` : image.src;
  });
  let body: string;
  try {
    body = await engine.parseAndRender(template, {
      all_products: new AllProducts(store),
      routes: { root_url: store.rootUrl },
      cart: { currency: { iso_code: store.currency } },
    });
  } catch (error) {
    body = `Liquid error: ${(error as Error).message.split("\n")[0]}`;
  }
  return layout ? `<!doctype html><html><body><main>${body}</main></body></html>` : body;
}
