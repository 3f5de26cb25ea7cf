import { describe, expect, it } from "vitest";
import { formToSettings, parseSettingsForm, settingsToForm, type SettingsForm } from "../../../app/lib/settings/form";
import { DEFAULT_SETTINGS, shopSettingsSchema } from "../../../app/lib/settings/settings-schema";

const valid: SettingsForm = settingsToForm(DEFAULT_SETTINGS);

describe("the settings form", () => {
  it("round-trips the stored defaults unchanged", () => {
    const parsed = parseSettingsForm(valid);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(formToSettings(parsed.value, [])).toEqual(DEFAULT_SETTINGS);
  });

  it("gives one merchant-worded message per invalid field", () => {
    const parsed = parseSettingsForm({
      ...valid,
      holdoutPercent: "51",
      attributionWindowDays: "1.5",
      blockHeading: "x".repeat(81),
      excludedTags: ["ok", "a,b"],
      pinnedProductIds: Array.from({ length: 13 }, (_, i) => String(i + 1)),
      controlExperience: "something",
    });
    expect(parsed).toEqual({
      ok: false,
      errors: {
        holdoutPercent: "Use at most 50 percent.",
        attributionWindowDays: "Enter a whole number of days from 1 to 30.",
        blockHeading: "Keep the heading to 80 characters or fewer.",
        excludedTags: "A tag cannot contain a comma.",
        pinnedProductIds: "Pin at most 12 products: a block shows 12 at most.",
        controlExperience: "Choose what the control group sees.",
      },
    });
  });

  it("refuses ids that are not Shopify's numeric ids, and a missing body", () => {
    expect(parseSettingsForm({ ...valid, excludedProductIds: ["gid://shopify/Product/1"] })).toMatchObject({
      ok: false,
      errors: { excludedProductIds: expect.any(String) },
    });
    expect(parseSettingsForm(null)).toMatchObject({ ok: false, errors: { form: expect.any(String) } });
  });

  it("stores collections with their resolved products and titles, tags once regardless of case", () => {
    const parsed = parseSettingsForm({
      ...valid,
      excludedCollections: [{ id: "300", title: "Clearance" }],
      excludedTags: ["Sale", "sale", "final"],
      pinnedProductIds: ["5", "5", "7"],
    });
    if (!parsed.ok) throw new Error("expected a valid form");
    const settings = formToSettings(parsed.value, ["10", "11", "10"]);
    expect(settings.exclusions).toMatchObject({
      collectionIds: ["300"],
      collectionProductIds: ["10", "11"],
      collectionTitles: { "300": "Clearance" },
      tags: ["Sale", "final"],
    });
    expect(settings.pinnedProductIds).toEqual(["5", "7"]);
    expect(shopSettingsSchema.parse(settings)).toEqual(settings);
  });
});
