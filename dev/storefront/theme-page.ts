import { readBlockSchema } from "./render-block";

/** What the product page shows of the product on screen. */
export interface ThemeProduct {
  title: string;
  image?: { url: string } | null;
}

/**
 * A small stand-in theme layout around the block: header with a cart count, a page body, and a
 * footer below the block (to see whether anything moves). Like a real theme it sets its fonts and
 * colours as CSS custom properties, and like Shopify it loads the block's `javascript` (deferred)
 * and `stylesheet` assets named in the schema.
 */
export function themePage(options: {
  title: string;
  lang: string;
  blockHtml: string;
  product?: ThemeProduct;
  formattedPrice?: string;
  spacerPx?: number;
  /** Shown above the page body (the demo's notes on who is browsing). */
  bannerHtml?: string;
  /** Runs before the block's script (e.g. to seed its localStorage). */
  headScript?: string;
  /** Replaces the home page's default introduction. */
  introHtml?: string;
  /**
   * A Dawn-like header and cart drawer instead of the plain cart count: the page shows what the
   * `cart-icon-bubble` and `cart-drawer` sections render now (Dawn refreshes them after an add).
   */
  dawn?: { bubbleHtml: string; drawerHtml: string };
  /** Where "Cart" links to. @defaultValue "/cart" */
  cartUrl?: string;
  /** The page as it is without the app block: no block, and none of its assets. */
  withoutBlock?: boolean;
  /** App embeds, rendered at the end of the body as Shopify renders `"target": "body"` blocks. */
  embedsHtml?: string;
}): string {
  const schema = options.withoutBlock ? {} : (readBlockSchema() as { javascript?: string; stylesheet?: string });
  const assetTags = [
    schema.stylesheet ? `<link rel="stylesheet" href="/assets/${schema.stylesheet}">` : "",
    schema.javascript ? `<script src="/assets/${schema.javascript}" defer></script>` : "",
  ].join("\n    ");
  const hero = options.product
    ? `<section class="product">
        ${options.product.image ? `<img src="${options.product.image.url}" width="600" height="600" alt="${escapeHtml(options.product.title)}">` : `<div></div>`}
        <div>
          <h1>${escapeHtml(options.product.title)}</h1>
          <p class="product__price">${options.formattedPrice ?? ""}</p>
          <p>Made in small batches from materials we would use at home. Ships in two working days.</p>
        </div>
      </section>`
    : (options.introHtml ??
      `<section class="intro"><h1>${escapeHtml(options.title)}</h1><p>Everyday goods, made to last.</p></section>`);
  return `<!doctype html>
<html lang="${options.lang}">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeHtml(options.title)} – Northwind Goods</title>
    <link rel="icon" href="data:,">
    <style>
      :root {
        --font-body-family: "Liberation Sans", Arial, sans-serif;
        --font-heading-family: "DejaVu Serif", Georgia, serif;
        --font-heading-weight: 500;
        --color-foreground: #1f2a24;
        --buttons-radius: 6px;
      }
      * { box-sizing: border-box; }
      body { margin: 0; font-family: var(--font-body-family); font-size: 16px; color: var(--color-foreground); background: #fbfaf7; }
      h1, h2 { font-family: var(--font-heading-family); font-weight: var(--font-heading-weight); }
      .header { display: flex; justify-content: space-between; align-items: center; padding: 1rem 2rem; border-bottom: 1px solid #e4e1da; }
      .header__logo { font-family: var(--font-heading-family); font-size: 1.4rem; letter-spacing: 0.04em; }
      .cart-count { display: inline-flex; min-width: 1.6em; justify-content: center; border-radius: 999px; background: var(--color-foreground); color: #fff; font-size: 0.8rem; padding: 0.1em 0.5em; }
      .page-width { max-width: 1200px; margin: 0 auto; padding: 0 2rem; }
      .product { display: grid; grid-template-columns: 220px 1fr; gap: 2rem; align-items: center; padding: 2rem 0 0; }
      .product img { width: 100%; height: auto; border-radius: 8px; }
      .product h1 { margin: 0 0 0.5rem; font-size: 2rem; }
      .intro { padding: 2rem 0 0; }
      .spacer { height: ${options.spacerPx ?? 0}px; }
      cart-drawer { position: fixed; inset: 0 0 0 auto; width: min(360px, 90vw); padding: 1rem; background: #fff; box-shadow: -2px 0 12px #0002; transform: translateX(110%); }
      cart-drawer.active { transform: none; }
      .cart-count-bubble { display: inline-flex; min-width: 1.6em; justify-content: center; border-radius: 999px; background: var(--color-foreground); color: #fff; font-size: 0.8rem; }
      .footer { margin-top: 3rem; padding: 2rem; border-top: 1px solid #e4e1da; color: #5d655f; }
    </style>
    ${options.headScript ? `<script>${options.headScript}</script>` : ""}
    ${assetTags}
  </head>
  <body>
    <header class="header">
      <span class="header__logo">Northwind Goods</span>
      ${
        options.dawn
          ? `<a href="${options.cartUrl ?? "/cart"}" id="cart-icon-bubble">${options.dawn.bubbleHtml}</a>`
          : `<a href="${options.cartUrl ?? "/cart"}">Cart <span class="cart-count" data-cart-count>0</span></a>`
      }
    </header>
    ${
      options.dawn
        ? `<cart-drawer class="drawer is-empty"><div id="CartDrawer" class="cart-drawer"><div class="drawer__inner">${options.dawn.drawerHtml}</div></div></cart-drawer>
    <script>
      // Dawn's drawer element: open() shows it.
      customElements.define("cart-drawer", class extends HTMLElement {
        open() { this.classList.add("active"); }
      });
    </script>`
        : ""
    }
    ${options.bannerHtml ?? ""}
    <main class="page-width">
      ${hero}
      <div class="spacer"></div>
      <div class="shopify-section">
        ${options.withoutBlock ? "" : options.blockHtml}
      </div>
    </main>
    <footer class="footer" data-footer>© Northwind Goods</footer>
    ${options.embedsHtml ?? ""}
    <script>
      // What a theme does with a "refresh your cart" event: re-read the cart and update its count.
      document.addEventListener("cart:refresh", () => {
        if (!document.querySelector("[data-cart-count]")) return;
        fetch("/cart.js").then((r) => r.json()).then((cart) => {
          document.querySelector("[data-cart-count]").textContent = String(cart.item_count);
        });
      });
    </script>
  </body>
</html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
