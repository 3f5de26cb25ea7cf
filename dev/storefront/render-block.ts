import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid, type TagToken, type TopLevelToken } from "liquidjs";

/** The theme app extension, found from this file so any working directory will do. */
export const EXTENSION_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../extensions/recommendations");
export const BLOCK_FILE = join(EXTENSION_DIR, "blocks/recommendations.liquid");
/** The app embed that puts the block in the theme's cart drawer. */
export const DRAWER_EMBED_FILE = join(EXTENSION_DIR, "blocks/cart-drawer.liquid");

type Json = Record<string, unknown>;

export interface BlockSetting {
  id: string;
  type: string;
  default?: unknown;
}

/** The block's `{% schema %}` JSON. */
export function readBlockSchema(file = BLOCK_FILE): { name: string; target: string; settings: BlockSetting[] } & Json {
  const source = readFileSync(file, "utf8");
  const match = /{%-?\s*schema\s*-?%}([\s\S]*?){%-?\s*endschema\s*-?%}/.exec(source);
  if (!match?.[1]) throw new Error(`${BLOCK_FILE} has no {% schema %}`);
  return JSON.parse(match[1]) as ReturnType<typeof readBlockSchema>;
}

/** Block settings as a merchant who changed nothing would have them, plus overrides. */
export function blockSettings(overrides: Json = {}, file = BLOCK_FILE): Json {
  const defaults = Object.fromEntries(readBlockSchema(file).settings.map((s) => [s.id, s.default ?? null]));
  return { ...defaults, ...overrides };
}

export function readLocale(name: string): Json {
  return JSON.parse(readFileSync(join(EXTENSION_DIR, "locales", `${name}.json`), "utf8")) as Json;
}

function lookup(tree: Json, key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (node as Json | undefined)?.[part], tree);
}

/** What a storefront page gives the block: the Liquid objects Shopify would provide. */
export interface StorefrontContext {
  pageType: "product" | "cart" | "collection" | "index";
  locale: string;
  country: string;
  shopCurrency: string;
  cartCurrency: string;
  productId?: string;
  collectionId?: string;
  cartProductIds: string[];
  settings: Json;
  designMode?: boolean;
  /** `routes.root_url`: "/" or the locale/market prefix such as "/fr". @defaultValue "/" */
  rootUrl?: string;
  /** The app's app-data metafields, as Liquid's `app.metafields` (namespace → key → metafield). */
  appMetafields?: Json;
}

/**
 * A Liquid engine with stand-ins for the Shopify-only parts the block uses: the `t` filter reads
 * the extension's own locale files (falling back to en.default, as Shopify does), and
 * `{% schema %}` renders nothing. Everything else (`escape`, `map`, `floor`…) is standard Liquid.
 */
function createEngine(locale: string): Liquid {
  // {% render %} finds the extension's snippets, as Shopify does.
  const engine = new Liquid({ strictFilters: true, root: join(EXTENSION_DIR, "snippets"), extname: ".liquid" });
  const fallback = readLocale("en.default");
  let translations: Json = fallback;
  try {
    translations = readLocale(locale);
  } catch {
    // No such locale: Shopify falls back to the default locale.
  }
  engine.registerFilter("t", (key: string) => {
    const value = lookup(translations, key) ?? lookup(fallback, key);
    return typeof value === "string" ? value : `translation missing: ${locale}.${key}`;
  });
  engine.registerTag("schema", {
    parse(_token: TagToken, remaining: TopLevelToken[]) {
      while (remaining.length > 0) {
        const token = remaining.shift() as TopLevelToken & { name?: string };
        if (token.name === "endschema") return;
      }
      throw new Error("{% schema %} is not closed");
    },
    render() {
      return "";
    },
  });
  return engine;
}

let blockId = 0;

/** Renders the real blocks/recommendations.liquid as Shopify would inside a section. */
export async function renderBlock(context: StorefrontContext, file = BLOCK_FILE): Promise<string> {
  const engine = createEngine(context.locale);
  const source = readFileSync(file, "utf8");
  blockId += 1;
  // Globals, so snippets see them as Shopify's global objects (`block` and `product` are also passed).
  return engine.parseAndRender(
    source,
    {},
    {
      globals: {
        block: { id: `AbCdEf${blockId}`, settings: context.settings, shopify_attributes: "" },
        product: context.productId ? { id: Number(context.productId) } : null,
        collection: context.collectionId ? { id: Number(context.collectionId) } : null,
        cart: {
          items: context.cartProductIds.map((id, index) => ({ product_id: Number(id), variant_id: 9000 + index })),
          currency: { iso_code: context.cartCurrency },
        },
        shop: { currency: context.shopCurrency },
        localization: { country: { iso_code: context.country } },
        request: {
          page_type: context.pageType,
          locale: { iso_code: context.locale },
          design_mode: context.designMode ?? false,
        },
        routes: {
          cart_add_url: `${(context.rootUrl ?? "/").replace(/\/$/, "")}/cart/add`,
          cart_url: `${(context.rootUrl ?? "/").replace(/\/$/, "")}/cart`,
          root_url: context.rootUrl ?? "/",
        },
        app: { metafields: context.appMetafields ?? {} },
      },
    },
  );
}
