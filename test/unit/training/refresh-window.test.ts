import { describe, expect, it } from "vitest";
import { refreshWindow } from "../../../app/lib/training/train-queue.server";

const HOUR = 3_600_000;

describe("a shop's list-refresh windows", () => {
  it("last the window's length, and every moment in one shares its end", () => {
    const shop = "one.myshopify.com";
    const { index, endsAt } = refreshWindow(shop, HOUR, 1_800_000_000_000);
    for (const now of [endsAt - HOUR, endsAt - HOUR + 1, endsAt - 1])
      expect(refreshWindow(shop, HOUR, now)).toEqual({ index, endsAt });
    expect(refreshWindow(shop, HOUR, endsAt)).toEqual({ index: index + 1, endsAt: endsAt + HOUR });
    expect(refreshWindow(shop, HOUR, endsAt - HOUR - 1).endsAt).toBe(endsAt - HOUR);
  });

  it("fall due at different moments for different shops, spread across the window", () => {
    const now = 1_800_000_000_000;
    const ends = Array.from({ length: 200 }, (_, i) => refreshWindow(`shop-${i}.myshopify.com`, HOUR, now).endsAt);
    for (const end of ends) {
      expect(end).toBeGreaterThan(now);
      expect(end).toBeLessThanOrEqual(now + HOUR);
    }
    // Aligned to the clock, all 200 would end at one instant; shifted, they fill the hour's quarters.
    expect(new Set(ends).size).toBeGreaterThan(190);
    const quarters = new Set(ends.map((end) => Math.floor(((end - now) / HOUR) * 4)));
    expect(quarters.size).toBe(4);
  });

  it("give a shop the same windows in every process", () => {
    expect(refreshWindow("same.myshopify.com", HOUR, 42)).toEqual(refreshWindow("same.myshopify.com", HOUR, 42));
  });
});
