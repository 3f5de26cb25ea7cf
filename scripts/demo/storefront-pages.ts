import { escapeHtml } from "../../dev/storefront/theme-page";
import type { DemoProductRef } from "./storefront-data";

/** Who the preview page is shown to, as the banner says. */
export interface PreviewViewer {
  customerId?: string;
  anonymousHistory: boolean;
  visitorId: string;
  arm: string;
  holdoutPercent: number;
}

const link = (href: string, text: string) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;

export function previewBanner(viewer: PreviewViewer): string {
  const who = viewer.customerId
    ? `logged-in customer ${escapeHtml(viewer.customerId)}`
    : viewer.anonymousHistory
      ? "an anonymous visitor with a browsing history"
      : "an anonymous visitor";
  return `<p class="page-width" data-preview-viewer style="background:#eef3ee;padding:.6rem 2rem;margin:0">
      Browsing as ${who} · visitor <code>${escapeHtml(viewer.visitorId)}</code> ·
      arm <strong data-preview-arm>${viewer.arm}</strong> (holdout ${viewer.holdoutPercent}%) · ${link("/", "choose another")}
    </p>`;
}

/** The home page's body: whom to browse as, and some real products to open. */
export function previewIntro(customers: Array<{ id: string; orders: number }>, products: DemoProductRef[]): string {
  const customerItems = customers
    .map((c) => `<li>${link(`/?customer=${c.id}`, `customer ${c.id}`)} (${c.orders} orders)</li>`)
    .join("");
  const productItems = products.map((p) => `<li>${link(`/products/${p.handle}`, p.title)}</li>`).join("");
  return `<section class="intro">
      <h1>Affinity demo storefront</h1>
      <p>The real theme block, served by the demo app through a local App Proxy. Browse as:</p>
      <ul data-preview-customers>${customerItems}
        <li>${link("/?as=anonymous", "anonymous visitor with a history")} (recently viewed: a few best-sellers)</li>
      </ul>
      <p>Or open a product page (the block then recommends around that product):</p>
      <ul data-preview-products>${productItems}</ul>
    </section>`;
}

/**
 * Runs before the block's script: fixes the visitor id (so the banner's arm is the one the app
 * uses) and, for the anonymous link, seeds the recently viewed list the block sends as `history`.
 */
export function seedStorage(visitorId: string, history: string[] | null): string {
  const statements = [`localStorage.setItem("affinity:visitor", ${JSON.stringify(JSON.stringify(visitorId))});`];
  if (history) {
    const list = `${JSON.stringify(history)}.map((id, i) => ({ id, at: Date.now() - i * 60000 }))`;
    statements.push(`localStorage.setItem("affinity:history", JSON.stringify(${list}));`);
  }
  return `try { ${statements.join(" ")} } catch (e) {}`;
}
