/**
 * The storefront block: its weight as shoppers download it (gzip), with the theme-check budget
 * beside it; and the time to its first card painted on the local storefront stand-in, phone
 * profile, beside the same page without the block.
 */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../test/helpers/browser";
import { startStorefront } from "../test/helpers/storefront/storefront-server";
import { median, result, type BenchResult } from "./lib";

const ASSETS = "extensions/recommendations/assets";

export async function benchBlock(options: { quick: boolean } = { quick: false }): Promise<BenchResult[]> {
  const gz = (file: string) => gzipSync(readFileSync(`${ASSETS}/${file}`), { level: 9 }).length;
  return [
    result("block.js_gz_bytes", gz("recommendations.js"), "bytes", 6_144, "reference: our 6 KB gzip budget"),
    result("block.css_gz_bytes", gz("recommendations.css"), "bytes"),
    await firstCard(options.quick ? 3 : 20),
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

async function phonePage(browser: Browser): Promise<Page> {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await cdp.send("Network.emulateNetworkConditions", NETWORK);
  await page.addInitScript(FIRST_CARD);
  return page;
}

/**
 * `block.first_card_ms`: median over `loads` fresh phone loads of the stand-in's home page (its
 * stand-in proxy renders the Liquid answer as Shopify would), from navigation start to the frame
 * after the first card. Reference: the median load event of the same page without the block.
 */
async function firstCard(loads: number): Promise<BenchResult> {
  const storefront = await startStorefront();
  const browser = await launchBrowser();
  try {
    const withBlock: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < loads; i++) {
      const page = await phonePage(browser);
      await page.goto(`${storefront.origin}/?count=4`, { waitUntil: "load" });
      withBlock.push(await page.evaluate(() => (window as unknown as { __firstCard: Promise<number> }).__firstCard));
      await page.context().close();

      const bare = await phonePage(browser);
      await bare.goto(`${storefront.origin}/?count=4&block=none`, { waitUntil: "load" });
      without.push(
        await bare.evaluate(
          () => (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).loadEventEnd,
        ),
      );
      await bare.context().close();
    }
    return result(
      "block.first_card_ms",
      median(withBlock),
      "ms",
      median(without),
      `median of ${loads} phone-profile loads (4x CPU, 150 ms RTT, 1.6 Mbit/s) of the stand-in storefront: ` +
        "navigation start to the frame after the first card; reference: the load event of the same page without the block",
    );
  } finally {
    await browser.close();
    await storefront.close();
  }
}
