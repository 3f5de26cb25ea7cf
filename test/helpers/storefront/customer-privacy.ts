/**
 * A stand-in for Shopify's Customer Privacy API (https://shopify.dev/docs/api/customer-privacy),
 * as a storefront page's head script. Like Shopify's, it defines `Shopify.loadFeatures`, makes
 * `Shopify.customerPrivacy` available in that call's callback, and publishes the document event
 * `visitorConsentCollected` when `setTrackingConsent` records a shopper's answer (what a cookie
 * banner calls).
 */
export const CONSENT_MODES = ["undecided", "declined", "granted", "not-required", "slow", "error", "absent"] as const;

/**
 * - `undecided`: a region where the merchant requires consent; the shopper has not answered yet.
 * - `declined`: the same region; the shopper declined analytics and preferences.
 * - `granted`: the same region; the shopper accepted everything.
 * - `not-required`: a region where no consent is needed: every purpose is allowed.
 * - `slow`: loading the API answers only when the test calls `window.answerCustomerPrivacy()`
 *   (then as `granted`).
 * - `error`: loading the API calls back with an error.
 * - `absent`: no API on the page at all (a storefront without Shopify's page head).
 */
export type ConsentMode = (typeof CONSENT_MODES)[number];

interface PrivacyState {
  analytics: boolean;
  preferences: boolean;
  marketing: boolean;
  region: string;
  banner: boolean;
}

const STATES: Record<Exclude<ConsentMode, "absent" | "slow" | "error">, PrivacyState> = {
  undecided: { analytics: false, preferences: false, marketing: false, region: "DEBE", banner: true },
  declined: { analytics: false, preferences: false, marketing: false, region: "DEBE", banner: false },
  granted: { analytics: true, preferences: true, marketing: true, region: "DEBE", banner: false },
  "not-required": { analytics: true, preferences: true, marketing: true, region: "USCA", banner: false },
};

/** The head script for `mode`, or undefined for `absent`. */
export function customerPrivacyScript(mode: ConsentMode): string | undefined {
  if (mode === "absent") return undefined;
  const state = mode === "slow" || mode === "error" ? STATES.granted : STATES[mode];
  return `(() => {
  const state = ${JSON.stringify(state)};
  const api = {
    analyticsProcessingAllowed: () => state.analytics,
    preferencesProcessingAllowed: () => state.preferences,
    marketingAllowed: () => state.marketing,
    saleOfDataAllowed: () => true,
    shouldShowBanner: () => state.banner,
    getRegion: () => state.region,
    setTrackingConsent(consent, callback) {
      for (const purpose of ["analytics", "preferences", "marketing"])
        if (typeof consent[purpose] === "boolean") state[purpose] = consent[purpose];
      state.banner = false;
      const detail = {
        analyticsAllowed: state.analytics,
        preferencesAllowed: state.preferences,
        marketingAllowed: state.marketing,
        saleOfDataAllowed: true,
      };
      setTimeout(() => {
        document.dispatchEvent(new CustomEvent("visitorConsentCollected", { detail }));
        if (callback) callback();
      });
    },
  };
  const shopify = (window.Shopify = window.Shopify || {});
  let answer;
  const answered = new Promise((resolve) => (answer = resolve));
  window.answerCustomerPrivacy = answer;
  shopify.loadFeatures = (features, callback) => {
    const wanted = features.some((f) => f.name === "consent-tracking-api" && f.version === "0.1");
    ${
      mode === "error"
        ? `setTimeout(() => callback(new Error("consent-tracking-api failed to load")));`
        : mode === "slow"
          ? `answered.then(() => { shopify.customerPrivacy = api; callback(wanted ? null : new Error("unknown feature")); });`
          : `setTimeout(() => { shopify.customerPrivacy = api; callback(wanted ? null : new Error("unknown feature")); });`
    }
  };
})();`;
}
