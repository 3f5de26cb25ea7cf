/**
 * The storefront block: its weight as shoppers download it (gzip), with the theme-check budget
 * beside it; and the time to its first card painted on the local storefront stand-in, phone
 * profile, beside the same page without the block.
 */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../test/helpers/browser";
import { STOREFRONT_API_DESIGN } from "../test/helpers/storefront/storefront-api-design";
import { startStorefront } from "../test/helpers/storefront/storefront-server";
import { median, result, type BenchResult } from "./lib";

const ASSETS = "extensions/recommendations/assets";

export async function benchBlock(options: { quick: boolean } = { quick: false }): Promise<BenchResult[]> {
  const gz = (file: string) => gzipSync(readFileSync(`${ASSETS}/${file}`), { level: 9 }).length;
  return [
    result("block.js_gz_bytes", gz("recommendations.js"), "bytes", 6_144, "reference: our 6 KB gzip budget"),
    result("block.css_gz_bytes", gz("recommendations.css"), "bytes"),
    ...(await firstCard(options.quick ? 3 : 20)),
  ];
}

/*
 * A phone as Lighthouse's mobile profile has it: a 390 px screen at 3x, touch, the CPU slowed 4x
 * and a slow 4G network (150 ms round trips, 1.6 Mbit/s down, 750 kbit/s up).
 */
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };
const NETWORK = { offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 93_750 };

// Resolves with the time (ms after navigation start) of the frame after the first card went in.
const FIRST_CARD = `
  window.__firstCard = new Promise((resolve) => {
    const seen = () => document.querySelector(".affinity-card");
    const mo = new MutationObserver(() => {
      if (!seen()) return;
      mo.disconnect();
      requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())));
    });
    mo.observe(document, { childList: true, subtree: true });
  });`;

async function phonePage(browser: Browser, design?: string): Promise<Page> {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await cdp.send("Network.emulateNetworkConditions", NETWORK);
  await page.addInitScript(FIRST_CARD);
  if (design) await page.addInitScript(design);
  return page;
}

/** Navigation start to the frame after the first card, on a fresh phone page. */
async function timeFirstCard(browser: Browser, url: string, design?: string): Promise<number> {
  const page = await phonePage(browser, design);
  await page.goto(url, { waitUntil: "load" });
  const at = await page.evaluate(() => (window as unknown as { __firstCard: Promise<number> }).__firstCard);
  await page.context().close();
  return at;
}

/**
 * `block.first_card_ms`: median over `loads` fresh phone loads of the stand-in's home page (its
 * stand-in proxy renders the Liquid answer as Shopify would), from navigation start to the frame
 * after the first card. Reference: the median load event of the same page without the block.
 * `block.first_card_ms.storefront_api`: the same for design B of ADR 012 (ids from the proxy, then
 * cards from the Storefront API; storefront-api-design.ts), loads alternated with design A's so
 * both see the same machine; reference: design A.
 */
async function firstCard(loads: number): Promise<BenchResult[]> {
  const storefront = await startStorefront();
  const browser = await launchBrowser();
  try {
    const withBlock: number[] = [];
    const designB: number[] = [];
    const without: number[] = [];
    // A French shopper in the FR market: the storefront context both designs exist for.
    const page = `${storefront.origin}/fr/?count=4&country=FR`;
    for (let i = 0; i < loads; i++) {
      withBlock.push(await timeFirstCard(browser, page));
      designB.push(await timeFirstCard(browser, page, STOREFRONT_API_DESIGN));

      const bare = await phonePage(browser);
      await bare.goto(`${page}&block=none`, { waitUntil: "load" });
      without.push(
        await bare.evaluate(
          () => (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).loadEventEnd,
        ),
      );
      await bare.context().close();
    }
    const profile = `median of ${loads} phone-profile loads (4x CPU, 150 ms RTT, 1.6 Mbit/s) of the stand-in storefront's French home page`;
    return [
      result(
        "block.first_card_ms",
        median(withBlock),
        "ms",
        median(without),
        `${profile}: navigation start to the frame after the first card; reference: the load event of the same page without the block`,
      ),
      result(
        "block.first_card_ms.storefront_api",
        median(designB),
        "ms",
        median(withBlock),
        `the same for ADR 012's design B (the proxy's JSON, then the Storefront API for the cards), alternated with the shipped design; reference: the shipped design (App Proxy Liquid)`,
      ),
    ];
  } finally {
    await browser.close();
    await storefront.close();
  }
}
