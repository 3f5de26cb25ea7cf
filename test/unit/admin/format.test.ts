import { describe, expect, it } from "vitest";
import { formatCountOf, formatMoney } from "../../../app/lib/admin/format";

describe("counts with their nouns", () => {
  it("uses the singular for exactly one, the plural otherwise, with thousands separators", () => {
    expect(formatCountOf(1, "customer")).toBe("1 customer");
    expect(formatCountOf(0, "customer")).toBe("0 customers");
    expect(formatCountOf(1_912, "order")).toBe("1,912 orders");
    expect(formatCountOf(2, "person", "people")).toBe("2 people");
  });
});

describe("money in the shop's currency", () => {
  it("follows the currency's own decimals, and abbreviates on chart axes", () => {
    expect(formatMoney(11_761, "EUR")).toBe("€11,761.00");
    expect(formatMoney(11_761, "JPY")).toBe("¥11,761");
    expect(formatMoney(1_250, "USD", true)).toBe("$1.3K");
    expect(formatMoney(800, "GBP", true)).toBe("£800");
  });
});
