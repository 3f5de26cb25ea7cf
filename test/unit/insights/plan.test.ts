import { describe, expect, it } from "vitest";
import { planChanges, summarise, type PredictionRow, type WrittenRow } from "../../../app/lib/insights/plan";
import { insightActionsFormSchema } from "../../../app/lib/insights/form";
import { variablesFor } from "../../../app/lib/insights/bulk-mutation.server";

const prediction = (id: string, segment: string, risk = 0.5): PredictionRow => ({
  customerShopifyId: id,
  segment,
  risk,
  expectedNextAt: new Date("2026-12-24T12:00:00Z"),
});
const written = (id: string, tag: string | null, extra: Partial<WrittenRow> = {}): [string, WrittenRow] => [
  id,
  { customerShopifyId: id, tag, metafields: null, redacted: false, gone: false, ...extra },
];
const TAGS = { tagsEnabled: true, metafieldsEnabled: false };

describe("planChanges", () => {
  it("adds each customer's segment tag once, and nothing when the tag is already confirmed", () => {
    const changes = planChanges(
      [prediction("1", "at_risk"), prediction("2", "champion")],
      new Map([written("2", "affinity:champion")]),
      TAGS,
    );
    expect(changes).toEqual([{ kind: "tagsAdd", customerId: "1", tags: ["affinity:at-risk"] }]);
  });

  it("moving segments removes the old tag and adds the new one; removal first in the order of operations", () => {
    const changes = planChanges([prediction("1", "lapsed")], new Map([written("1", "affinity:at-risk")]), TAGS);
    expect(changes).toEqual([
      { kind: "tagsRemove", customerId: "1", tags: ["affinity:at-risk"] },
      { kind: "tagsAdd", customerId: "1", tags: ["affinity:lapsed"] },
    ]);
  });

  it("an action turned off, a redacted customer, or one without a prediction: what was written comes off", () => {
    const values = { churn_risk: "0.500", segment: "new", expected_next_order: "2026-12-24" };
    const off = planChanges([prediction("1", "new")], new Map([written("1", "affinity:new", { metafields: values })]), {
      tagsEnabled: false,
      metafieldsEnabled: false,
    });
    expect(off.map((c) => c.kind)).toEqual(["tagsRemove", "metafieldsDelete"]);
    const redacted = planChanges([], new Map([written("9", "affinity:new", { redacted: true })]), TAGS);
    expect(redacted).toEqual([{ kind: "tagsRemove", customerId: "9", tags: ["affinity:new"] }]);
  });

  it("a customer Shopify reported deleted is left alone, even with a prediction", () => {
    expect(planChanges([prediction("5", "new")], new Map([written("5", null, { gone: true })]), TAGS)).toEqual([]);
  });

  it("metafields are rewritten only when a value as written (risk to 3 decimals, the date) changes", () => {
    const options = { tagsEnabled: false, metafieldsEnabled: true };
    const first = planChanges([prediction("1", "new", 0.81234)], new Map(), options);
    expect(first).toEqual([
      {
        kind: "metafieldsSet",
        customerId: "1",
        values: { churn_risk: "0.812", segment: "new", expected_next_order: "2026-12-24" },
      },
    ]);
    const values = first[0]!.kind === "metafieldsSet" ? first[0]!.values : null;
    const same = planChanges(
      [prediction("1", "new", 0.8119)],
      new Map([written("1", null, { metafields: values })]),
      options,
    );
    expect(same).toEqual([]);
  });

  it("a customer whose recommendations are gone loses the list: every key comes off, then the rest is set again", () => {
    const options = { tagsEnabled: false, metafieldsEnabled: true };
    const withList = { ...prediction("1", "new"), recommended: ["7001", "7002"] };
    const [set] = planChanges([withList], new Map(), options);
    expect(set).toMatchObject({
      kind: "metafieldsSet",
      values: { recommended_products: '["gid://shopify/Product/7001","gid://shopify/Product/7002"]' },
    });
    const values = set!.kind === "metafieldsSet" ? set!.values : null;
    const changes = planChanges(
      [prediction("1", "new")],
      new Map([written("1", null, { metafields: values })]),
      options,
    );
    expect(changes.map((c) => c.kind)).toEqual(["metafieldsDelete", "metafieldsSet"]);
    expect(changes[1]).not.toHaveProperty("values.recommended_products");
  });

  it("summarises counts per change and per tag for the preview", () => {
    const s = summarise(
      planChanges([prediction("1", "at_risk"), prediction("2", "at_risk"), prediction("3", "new")], new Map(), TAGS),
      2,
    );
    expect(s.byKind).toEqual({ tagsRemove: 0, tagsAdd: 3, metafieldsDelete: 0, metafieldsSet: 0 });
    expect(s.tagged).toEqual({ "affinity:at-risk": 2, "affinity:new": 1 });
    expect(s.customers).toBe(3);
    expect(s.sample).toHaveLength(2);
  });
});

describe("the bulk mutation variables", () => {
  it("are one line per customer with the customer's GID and the app's reserved namespace", () => {
    expect(variablesFor({ kind: "tagsRemove", customerId: "7", tags: ["affinity:new"] })).toEqual({
      id: "gid://shopify/Customer/7",
      tags: ["affinity:new"],
    });
    expect(variablesFor({ kind: "metafieldsDelete", customerId: "7", keys: ["segment"] })).toEqual({
      metafields: [{ ownerId: "gid://shopify/Customer/7", namespace: "$app:affinity", key: "segment" }],
    });
  });
});

describe("the actions form", () => {
  it("reads ticked boxes as on, absent ones as off", () => {
    expect(insightActionsFormSchema.parse({ intent: "preview", tagsEnabled: "on" })).toEqual({
      intent: "preview",
      tagsEnabled: true,
      metafieldsEnabled: false,
    });
  });

  it("names the field of a form it did not render, and changes nothing", () => {
    const bad = insightActionsFormSchema.safeParse({ intent: "write", tagsEnabled: "yes" });
    expect(bad.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["tagsEnabled", 'must be a ticked checkbox ("on") or absent'],
    ]);
    expect(insightActionsFormSchema.safeParse({ intent: "delete-everything" }).error?.issues[0]?.message).toBe(
      'must be "preview" or "write"',
    );
    expect(insightActionsFormSchema.safeParse({ intent: "write", extra: "1" }).success).toBe(false);
  });
});
