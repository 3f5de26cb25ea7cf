// Affinity "Recommended for you": the source of the block's script. `npm run build:block` minifies
// it into extensions/recommendations/assets/ (theme check caps that file at 10,000 bytes).
// Every entry point is guarded: a failure hides the block and never reaches the theme.
(() => {
  const HISTORY = "affinity:history";
  const VISITOR = "affinity:visitor";
  const HISTORY_MAX = 20;
  const HISTORY_TTL = 30 * 864e5; // 30 days
  // Names themes commonly listen on to refresh their cart count.
  const CART_EVENTS = ["cart:refresh", "cart:build", "cart:updated"];

  const log = (root, ...args) =>
    ((window.Shopify && window.Shopify.designMode) || root.hasAttribute("data-debug")) &&
    console.debug("[affinity]", ...args);
  const guard =
    (root, fn) =>
    (...args) => {
      try {
        Promise.resolve(fn(...args)).catch((e) => log(root, e));
      } catch (e) {
        log(root, e);
      }
    };
  const hide = (root, why) => {
    root.hidden = true;
    log(root, "hidden:", why);
  };

  // localStorage may be blocked or full: carry on without memory. `null` forgets the key.
  const store = (key, value) => {
    try {
      if (value === undefined) return JSON.parse(localStorage.getItem(key));
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch {
      return null;
    }
  };

  const visitorId = () => {
    let id = store(VISITOR);
    if (typeof id != "string") {
      id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
      store(VISITOR, id);
    }
    return id;
  };
  // Recently viewed, newest first: [{ id, at }].
  const history = () => {
    const list = store(HISTORY);
    const oldest = Date.now() - HISTORY_TTL;
    return Array.isArray(list) ? list.filter((e) => e && e.id && e.at > oldest).slice(0, HISTORY_MAX) : [];
  };
  const remember = (id) =>
    store(HISTORY, [{ id, at: Date.now() }, ...history().filter((e) => e.id != id)].slice(0, HISTORY_MAX));

  // Shopper consent, from Shopify's Customer Privacy API (ADR 006): `a` (analytics) allows the
  // visitor id and beacons, `p` (preferences) the browsing history. Unknown (null) allows neither.
  let consent = null;

  // Beacons are batched, sent on a timer, a click, or when the page hides.
  const queues = {};
  let timer = 0;
  const flush = () => {
    clearTimeout(timer);
    timer = 0;
    for (const url in queues) {
      const events = queues[url].splice(0);
      if (events.length) navigator.sendBeacon(url, JSON.stringify({ events }));
    }
  };
  const track = (root, type, recommendationId, productId) => {
    if (!consent || !consent.a) return;
    const url = root.dataset.eventsUrl;
    const event = { type, recommendationId, at: new Date().toISOString(), visitorId: visitorId() };
    if (productId != null) event.productId = String(productId);
    (queues[url] = queues[url] || []).push(event);
    timer = timer || setTimeout(flush, 1500);
  };
  addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", () => document.visibilityState == "hidden" && flush());

  // Consent is known once the API answers (or is found absent); loads wait for that, briefly.
  let settle;
  const known = new Promise((resolve) => (settle = resolve));
  const asked = new Set(); // blocks that asked with narrower consent are asked again
  const setConsent = (a, p) => {
    const was = consent || {};
    consent = { a: a === true, p: p === true };
    settle();
    if (!consent.a) {
      store(VISITOR, null);
      for (const url in queues) queues[url].length = 0;
    }
    if (!consent.p) store(HISTORY, null);
    if ((consent.a && !was.a) || (consent.p && !was.p))
      asked.forEach((root) => root.isConnected && load(root, true).catch((e) => log(root, e)));
  };
  const readConsent = () => {
    const api = window.Shopify.customerPrivacy;
    const allowed = (name) => {
      try {
        return api[name]();
      } catch {
        return false;
      }
    };
    setConsent(allowed("analyticsProcessingAllowed"), allowed("preferencesProcessingAllowed"));
  };
  const askConsent = () => {
    // Published when the shopper answers the banner, also later in the visit.
    document.addEventListener("visitorConsentCollected", (e) => {
      const d = e.detail || {};
      setConsent(d.analyticsAllowed, d.preferencesAllowed);
    });
    const shopify = window.Shopify;
    try {
      if (shopify && shopify.customerPrivacy) return readConsent();
      // No API on the page: Shopify documents that processing may then proceed.
      if (!shopify || typeof shopify.loadFeatures != "function") return setConsent(true, true);
      shopify.loadFeatures([{ name: "consent-tracking-api", version: "0.1" }], (error) =>
        error ? setConsent(false, false) : readConsent(),
      );
    } catch {
      setConsent(false, false);
    }
  };

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    node.className = className;
    if (text != null) node.textContent = text;
    return node;
  };
  const safeUrl = (value) => {
    const url = new URL(value, location.href);
    return /^https?:$/.test(url.protocol) && url.href;
  };
  // Shop prices, at the storefront's rate; with none, in the shop's currency.
  const formatter = (d) => {
    const lang = d.locale || "en";
    const locale = lang.includes("-") || !d.country ? lang : `${lang}-${d.country}`;
    let k = d.currency == d.shopCurrency ? 1 : +window.Shopify?.currency?.rate;
    const currency = k > 0 ? d.currency : d.shopCurrency;
    k = k > 0 ? k : 1;
    try {
      const format = new Intl.NumberFormat(locale, { style: "currency", currency }).format;
      return (n) => format(n * k);
    } catch {
      return (n) => `${(n * k).toFixed(2)} ${currency}`;
    }
  };

  const card = (root, d, format, rec, p) => {
    const li = el("li", "affinity-card");
    const link = el("a", "affinity-card__link");
    link.href = p.url;
    const media = el("div", "affinity-card__media");
    if (p.image) {
      const img = el("img", "");
      const { url, width, height, alt } = p.image;
      // The title is in the link too: no alt text means decorative.
      Object.assign(img, { src: url, width: width || 600, height: height || 600, alt: alt || "", loading: "lazy" });
      media.append(img);
    }
    link.append(media, el("span", "affinity-card__title", p.title));
    link.addEventListener(
      "click",
      guard(root, () => {
        track(root, "click", rec, p.id);
        flush();
      }),
    );
    li.append(link);
    if (d.showPrice == "true") {
      const box = el("div", "affinity-card__price");
      const sale = p.compareAtPrice > p.price;
      box.append(
        el("span", "affinity-visually-hidden", sale ? d.i18nSalePrice : d.i18nRegularPrice),
        el("span", "affinity-card__amount" + (sale ? " affinity-card__amount--sale" : ""), format(p.price)),
      );
      if (sale)
        box.append(el("span", "affinity-visually-hidden", d.i18nRegularPrice), el("s", "", format(p.compareAtPrice)));
      li.append(box);
    }
    if (d.showAddToCart == "true") {
      const button = el("button", "affinity-card__button", p.available ? d.i18nAdd : d.i18nSoldOut);
      button.type = "button";
      button.disabled = !p.available;
      button.append(el("span", "affinity-visually-hidden", ` – ${p.title}`));
      button.addEventListener(
        "click",
        guard(root, () => addToCart(root, d, rec, p, button)),
      );
      li.append(button);
    }
    return li;
  };

  const addToCart = async (root, d, rec, p, button) => {
    const label = (text) => (button.firstChild.textContent = text);
    const status = root.querySelector("[data-affinity-status]");
    button.disabled = true;
    label(d.i18nAdding);
    try {
      const response = await fetch(`${d.cartAddUrl}.js`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        // "_" hides the property from shoppers; orders/create gets it back for attribution.
        body: JSON.stringify({ items: [{ id: p.variantId, quantity: 1, properties: { _affinity_rec: rec } }] }),
      });
      if (!response.ok) throw new Error(`cart/add ${response.status}`);
      const { items } = await response.json();
      track(root, "add_to_cart", rec, p.id);
      const detail = { recommendationId: rec, productId: p.id, variantId: p.variantId, items };
      root.dispatchEvent(new CustomEvent("affinity:cart-updated", { bubbles: true, detail }));
      for (const name of CART_EVENTS) document.dispatchEvent(new CustomEvent(name, { bubbles: true, detail }));
      label(d.i18nAdded);
      status.textContent = d.i18nAddedStatus.replace("[title]", p.title);
    } catch (e) {
      log(root, e);
      status.textContent = d.i18nError;
    }
    setTimeout(() => {
      label(d.i18nAdd);
      button.disabled = false;
    }, 2000);
  };

  const watchImpression = (root, rec) => {
    if (root.affinityIo) root.affinityIo.disconnect();
    const io = (root.affinityIo = new IntersectionObserver(
      guard(root, (entries) => {
        // Half the block, or half the screen for a block taller than it.
        const seen = entries.some(
          (e) => e.intersectionRatio >= 0.5 || (e.rootBounds && e.intersectionRect.height >= e.rootBounds.height / 2),
        );
        if (seen) {
          io.disconnect();
          track(root, "impression", rec);
        }
      }),
      { threshold: [0.25, 0.5, 0.75, 1] },
    ));
    io.observe(root);
  };

  // Well-formed products with http(s) links only.
  const usable = (data, limit) =>
    (Array.isArray(data.products) ? data.products : [])
      .filter((p) => p && p.id != null && p.variantId != null && typeof p.title == "string" && +p.price === p.price)
      .map((p) => {
        const image = p.image && safeUrl(p.image.url);
        return { ...p, url: safeUrl(p.url), image: image && { ...p.image, url: image }, available: !!p.available };
      })
      .filter((p) => p.url)
      .slice(0, limit);

  // `again`: consent widened after the block was filled. A failed second answer keeps the cards
  // on screen (hiding them would move the page).
  const load = async (root, again) => {
    const seq = (root.affinitySeq = (root.affinitySeq || 0) + 1);
    const fail = (why) => (again ? log(root, why) : hide(root, why));
    // A slow API: wait a second, then show what needs no personal data; consent can widen later.
    await Promise.race([known, new Promise((resolve) => setTimeout(resolve, 1000))]);
    const { a, p } = consent || {};
    const d = root.dataset;
    const limit = +d.limit || 4;
    const query = new URLSearchParams({ context: d.context, strategy: d.strategy || "for_you", limit });
    if (a) query.set("visitor", visitorId());
    if (d.productId) query.set("product_id", d.productId);
    if (d.collectionId) query.set("collection_id", d.collectionId);
    if (d.cart) query.set("cart", d.cart);
    if (p) {
      const viewed = history()
        .map((e) => e.id)
        .filter((id) => id != d.productId);
      if (viewed.length) query.set("history", viewed.join(","));
      if (d.productId) remember(d.productId);
    }

    asked.add(root);
    const response = await fetch(`${d.proxyUrl}?${query}`, {
      headers: { Accept: "application/json" },
      signal: AbortSignal.timeout(8000),
    });
    const data = response.ok && (await response.json());
    // A later request (consent widened meanwhile) supersedes this one.
    if (seq != root.affinitySeq) return;
    if (!response.ok) return fail(`HTTP ${response.status}`);
    const rec = data && data.recommendationId;
    const products = rec ? usable(data, limit) : [];
    if (!products.length) return fail("no products");
    const format = formatter(d);
    root.querySelector("[data-affinity-list]").replaceChildren(...products.map((p) => card(root, d, format, rec, p)));
    watchImpression(root, rec);
  };

  const start = (root) => {
    if (root.dataset.affinityStarted) return;
    root.dataset.affinityStarted = 1;
    // Fetch ahead, so the block is filled in when it scrolls into view.
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          io.disconnect();
          load(root).catch((e) => hide(root, e));
        }
      },
      { rootMargin: "400px 0px" },
    );
    io.observe(root);
  };
  const startAll = (scope) =>
    scope.querySelectorAll("[data-affinity-recs]").forEach((root) => {
      try {
        start(root);
      } catch (e) {
        hide(root, e);
      }
    });

  askConsent();
  if (document.readyState == "loading") document.addEventListener("DOMContentLoaded", () => startAll(document));
  else startAll(document);
  // The theme editor re-renders sections in place.
  document.addEventListener("shopify:section:load", (e) => startAll(e.target));
})();
