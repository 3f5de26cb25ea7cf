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
  // Cart sections refreshed through the add's bundled Section Rendering (Dawn's first):
  // [section id, element on the page, element in the rendered section whose content it takes].
  const SECTIONS = [
    ["cart-icon-bubble", "#cart-icon-bubble", ".shopify-section"],
    ["cart-drawer", "#CartDrawer", "#CartDrawer"],
  ];

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
  // Prices come in the currency Shopify rendered them in (the shopper's market), else the shop's.
  const formatter = (d, currency) => {
    const lang = d.locale || "en";
    const locale = lang.includes("-") || !d.country ? lang : `${lang}-${d.country}`;
    currency = /^[A-Z]{3}$/.test(currency) ? currency : d.shopCurrency;
    try {
      return new Intl.NumberFormat(locale, { style: "currency", currency }).format;
    } catch {
      return (n) => `${n.toFixed(2)} ${currency}`;
    }
  };
  // "url 160w, url 240w": only http(s) candidates with a width survive.
  // The srcset's well-formed http(s) candidates, parsed once as [url, width] pairs.
  const safeSrcset = (value) =>
    typeof value == "string"
      ? value
          .split(",")
          .map((c) => c.trim().split(" "))
          .filter(([u, w]) => u && /^\d+w$/.test(w) && safeUrl(u))
          .map(([u, w]) => [safeUrl(u), parseInt(w, 10)])
      : [];

  // The candidates no wider than `max` pixels (the smallest one if none is), as a srcset: a phone
  // at pixel ratio 3 would otherwise fetch an image three times the card's width, where twice
  // looks as sharp and costs far fewer bytes.
  const upTo = (candidates, max) => {
    const fit = candidates.filter(([, w]) => w <= max);
    const kept = fit.length ? fit : [candidates.reduce((a, b) => (b[1] < a[1] ? b : a))];
    return kept.map(([u, w]) => `${u} ${w}w`).join(",");
  };

  const card = (root, d, format, rec, p) => {
    const li = el("li", "affinity-card");
    const link = el("a", "affinity-card__link");
    link.href = p.url;
    const media = el("div", "affinity-card__media");
    if (p.image) {
      const img = el("img", "");
      const { url, srcset, width, height, alt } = p.image;
      // The title is in the link too: no alt text means decorative. The source is set once the
      // card's width is known (show), so the browser picks the srcset width that fits it.
      Object.assign(img, { width: width || 600, height: height || 600, alt: alt || "", loading: "lazy" });
      img.affinitySrc = [url, srcset];
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

  // Shows the store's own words for a refused add (sold out, quantity limit) on the card.
  const cardError = (button, text) => {
    const li = button.closest("li");
    let note = li.querySelector(".affinity-card__error");
    if (!text) return note && note.remove();
    if (!note) li.append((note = el("p", "affinity-card__error")));
    note.setAttribute("role", "alert");
    note.textContent = text;
  };

  // Puts the cart sections Shopify rendered with the add in place; how many it could.
  const refreshSections = (known, sections) => {
    let done = 0;
    for (const [id, target, source] of known) {
      const html = sections && sections[id];
      const into = document.querySelector(target);
      const from = typeof html == "string" && new DOMParser().parseFromString(html, "text/html").querySelector(source);
      if (into && from) {
        into.innerHTML = from.innerHTML;
        done++;
      }
    }
    const drawer = done && document.querySelector("cart-drawer");
    if (drawer) {
      drawer.classList.remove("is-empty");
      if (typeof drawer.open == "function") drawer.open();
    }
    return done;
  };

  const addToCart = async (root, d, rec, p, button) => {
    // A new text node, not new text in the old one: Chrome counts centred text whose start
    // moves as a (tiny) layout shift, though the button keeps its size.
    const label = (text) => button.firstChild.replaceWith(text);
    const status = root.querySelector("[data-affinity-status]");
    const ready = (text) => {
      label(text);
      button.disabled = false;
    };
    button.disabled = true;
    label(d.i18nAdding);
    cardError(button);
    // Only sections the page shows are asked for; Shopify renders them with the add.
    const known = SECTIONS.filter(([, target]) => document.querySelector(target));
    // A B2B catalog's quantity rule: Shopify refuses a line below its minimum.
    const item = { id: p.variantId, quantity: Math.max(1, p.min | 0), properties: { _affinity_rec: rec } };
    let response, data;
    try {
      response = await fetch(`${d.cartAddUrl}.js`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        // "_" hides the property from shoppers; orders/create gets it back for attribution.
        body: JSON.stringify(
          known.length
            ? { items: [item], sections: known.map((s) => s[0]), sections_url: location.pathname }
            : { items: [item] },
        ),
      });
      data = await response.json().catch(() => ({}));
    } catch (e) {
      log(root, e);
    }
    if (!response || !response.ok) {
      // Shopify's 422 carries the store's message (sold out, quantity limit) in `description`.
      cardError(button, (data && (data.description || data.message)) || d.i18nError);
      return ready(d.i18nAdd);
    }
    track(root, "add_to_cart", rec, p.id);
    const detail = { recommendationId: rec, productId: p.id, variantId: p.variantId, items: data.items };
    root.dispatchEvent(new CustomEvent("affinity:cart-updated", { bubbles: true, detail }));
    for (const name of CART_EVENTS) document.dispatchEvent(new CustomEvent(name, { bubbles: true, detail }));
    label(d.i18nAdded);
    status.textContent = d.i18nAddedStatus.replace("[title]", p.title);
    // No cart section refreshed: say it on screen too (the status only announces). A new
    // element over the block, so nothing moves.
    if (!refreshSections(known, data.sections)) {
      const toast = el("p", "affinity-recs__toast", status.textContent);
      toast.setAttribute("aria-hidden", "true");
      root.append(toast);
      setTimeout(() => toast.remove(), 4000);
    }
    setTimeout(() => ready(d.i18nAdd), 2000);
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
        return {
          ...p,
          url: safeUrl(p.url),
          image: image && { ...p.image, url: image, srcset: safeSrcset(p.image.srcset) },
          available: !!p.available,
        };
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
    // format=liquid: Shopify renders the cards in the shopper's locale and market (ADR 012).
    const query = new URLSearchParams({
      context: d.context,
      strategy: d.strategy || "for_you",
      limit,
      format: "liquid",
    });
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
    const format = formatter(d, data.currency);
    const list = root.querySelector("[data-affinity-list]");
    list.replaceChildren(...products.map((p) => card(root, d, format, rec, p)));
    // One layout read: every card is as wide as the first.
    const width = Math.ceil(list.firstChild.getBoundingClientRect().width);
    for (const img of list.querySelectorAll("img")) {
      const [src, srcset] = img.affinitySrc;
      img.sizes = `${width}px`;
      if (srcset.length) img.srcset = upTo(srcset, 2 * width);
      img.src = src;
    }
    watchImpression(root, rec);
  };

  // Blocks recommending from the cart follow it: any cart write on the page (the theme's, another
  // app's, ours), seen as a finished request, makes them read the cart and ask again.
  const CART_WRITE = /\/cart\/(add|change|update|clear)\b/;
  let cartTimer = 0;
  const followCart = async () => {
    const roots = [...document.querySelectorAll("[data-affinity-recs][data-context=cart]")].filter(
      (root) => root.dataset.affinityStarted && !root.hidden,
    );
    if (!roots.length) return;
    const response = await fetch(`${roots[0].dataset.cartUrl}.js`, { headers: { Accept: "application/json" } });
    const { items } = await response.json();
    const ids = [...new Set(items.map((item) => item.product_id))].join(",");
    for (const root of roots) {
      if (root.dataset.cart == ids) continue;
      root.dataset.cart = ids;
      // One not shown yet (a closed drawer) asks with the new cart when it is.
      if (root.affinitySeq) load(root, true).catch((e) => log(root, e));
    }
  };
  try {
    new PerformanceObserver((list) => {
      if (list.getEntries().some((e) => CART_WRITE.test(e.name))) {
        clearTimeout(cartTimer);
        cartTimer = setTimeout(() => followCart().catch(() => {}), 50);
      }
    }).observe({ type: "resource" });
  } catch {
    // No resource timing: blocks keep the cart they were rendered with.
  }

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

  // The cart drawer embed: its block goes at the end of the theme's drawer (Dawn's first), and
  // back again whenever the theme re-renders the drawer's content.
  const DRAWER_HOSTS = ["cart-drawer .drawer__inner", "#CartDrawer"];
  const placeDrawers = () => {
    const host = DRAWER_HOSTS.map((s) => document.querySelector(s)).find(Boolean);
    document.querySelectorAll("template[data-affinity-drawer]").forEach((tpl) => {
      const root = (tpl.affinityRoot =
        tpl.affinityRoot || document.importNode(tpl.content, true).querySelector("[data-affinity-recs]"));
      if (!host || !root || root.parentNode == host) return;
      host.append(root);
      start(root);
    });
    return host;
  };
  const watchDrawers = () => {
    const host = placeDrawers();
    const drawer = host && (host.closest("cart-drawer") || host.parentNode);
    if (drawer) new MutationObserver(() => placeDrawers()).observe(drawer, { childList: true, subtree: true });
  };

  const begin = () => {
    startAll(document);
    try {
      watchDrawers();
    } catch (e) {
      log(document.documentElement, e);
    }
  };
  askConsent();
  if (document.readyState == "loading") document.addEventListener("DOMContentLoaded", begin);
  else begin();
  // The theme editor re-renders sections in place.
  document.addEventListener("shopify:section:load", (e) => startAll(e.target));
})();
