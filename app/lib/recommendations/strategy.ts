/**
 * Which precomputed list answers a request. Every strategy is served from one stored list, as the
 * training run built and evaluated it; nothing is blended at serving time (issue 15, ADR 009).
 * When the asked-for list cannot exist for this shopper (buy-again for an anonymous visitor,
 * complete-the-cart with an empty cart) or is empty, the request falls back along a fixed,
 * documented chain, and the answer names the strategy it was served with.
 */
import type { ListRef } from "../storefront-store/store-cache.server";

export const STRATEGIES = ["for_you", "buy_again", "new_for_you", "related", "complete_cart"] as const;
export type Strategy = (typeof STRATEGIES)[number];
/**
 * What an answer can be served with: a strategy; "popular", the run's list for a visitor it knows
 * nothing about; or the shop's best sellers (the holdout's control arm only).
 */
export type ServedStrategy = Strategy | "popular" | "best_sellers";

/** Why a request was not served with the strategy it asked for. */
export type FallbackReason =
  "not_logged_in" | "no_list" | "no_product" | "empty_cart" | "purchases_excluded" | "no_history";

export interface Candidate {
  strategy: ServedStrategy;
  ref: ListRef;
  /** Set on a candidate of another strategy than the one asked for: why that one did not serve. */
  reason?: FallbackReason;
}

export interface StrategyInput {
  strategy: Strategy;
  customerId: string | null;
  productId: string | null;
  /** Cart product ids, in cart order (the last added last). */
  cart: readonly string[];
  /** Viewed product ids, newest first. */
  history: readonly string[];
  /** The merchant's "show products they bought before" setting. */
  includePurchased: boolean;
}

/**
 * The lists to try, in order: the first non-empty one answers. All of them are read in the same
 * pipeline, so a fallback costs no extra round trip.
 *
 * - for_you: the customer's for-you list; for a visitor we do not know, the related list of the
 *   product they viewed last; then the run's list for an empty history ("popular"). With purchases excluded by the merchant, a known
 *   customer gets their new-for-you list instead (it holds nothing they bought).
 * - buy_again: the customer's buy-again list, else for_you's chain.
 * - new_for_you: the customer's new-for-you list; a customer or visitor with no list gets the end
 *   of for_you's chain (the related list of the product viewed last, then the empty-history list;
 *   the rules then drop what is in the cart). Until 2026-12-07 that was the 90-day best sellers,
 *   which score 0.057 on the UCI shop's first orders where the empty-history list scores 0.098
 *   to 0.106 (ADR 005, "Best sellers").
 * - related: the product's related list, else for_you's chain.
 * - complete_cart: the related list of the product added to the cart last, else for_you's chain.
 */
export function strategyCandidates(input: StrategyInput): Candidate[] {
  const out: Candidate[] = [];
  const { customerId } = input;
  switch (input.strategy) {
    case "for_you":
      addForYou(out, input);
      break;
    case "buy_again":
      if (customerId) add(out, "buy_again", { kind: "again", id: customerId });
      addForYou(out, input, customerId ? "no_list" : "not_logged_in");
      break;
    case "new_for_you":
      if (customerId) add(out, "new_for_you", { kind: "new", id: customerId });
      addWithoutList(out, input, customerId ? "no_list" : "not_logged_in");
      break;
    case "related":
      if (input.productId) add(out, "related", { kind: "related", id: input.productId });
      addForYou(out, input, "no_product");
      break;
    case "complete_cart": {
      const last = input.cart[input.cart.length - 1];
      if (last) add(out, "complete_cart", { kind: "related", id: last });
      addForYou(out, input, "empty_cart");
      break;
    }
  }
  return out;
}

/*
 * The helpers below take the list they add to rather than closing over it: the storefront calls
 * strategyCandidates on every request, and each closure created per call costs an allocation
 * (and, where tsx keeps function names, an Object.defineProperty).
 */
function add(out: Candidate[], strategy: ServedStrategy, ref: ListRef, reason?: FallbackReason): void {
  out.push(reason ? { strategy, ref, reason } : { strategy, ref });
}

/**
 * for_you's chain, with `reason` as why it serves in place of the strategy asked for. Each
 * fallback names the first reason the request could not be served as asked: an anonymous
 * visitor's buy-again says "not_logged_in", an empty cart "empty_cart", however far down the
 * chain the answer came from.
 */
function addForYou(out: Candidate[], input: StrategyInput, reason?: FallbackReason): void {
  const { customerId } = input;
  if (customerId && !input.includePurchased)
    add(out, "new_for_you", { kind: "new", id: customerId }, "purchases_excluded");
  else if (customerId) add(out, "for_you", { kind: "for", id: customerId }, reason);
  addWithoutList(out, input, reason);
}

/**
 * The end of every chain, for a shopper with no list of their own: the related list of the product
 * viewed last, then the list for an empty history. Both are judged on evaluations of their own
 * (related-eval.ts, first-visit-eval.ts), and for a shopper who bought nothing every product is new.
 */
function addWithoutList(out: Candidate[], input: StrategyInput, reason?: FallbackReason): void {
  const { customerId } = input;
  const viewed = input.history[0];
  if (viewed)
    add(out, "related", { kind: "related", id: viewed }, reason ?? (customerId ? "no_list" : "not_logged_in"));
  add(out, "popular", { kind: "popular" }, reason ?? (customerId ? "no_list" : "no_history"));
}
