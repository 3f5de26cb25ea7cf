import { describe, expect, it } from "vitest";
import { collectionFirst } from "../../../app/lib/recommendations/collection-first";
import type { CollectionMembers } from "../../../app/lib/storefront-store/collection-members.server";

const members = (ids: string[]): CollectionMembers => ({ ids, set: new Set(ids), fetchedAt: 0 });

describe("ranking on a collection page", () => {
  it("puts the collection's products first in the shopper's order, then its others in the collection's order, then the rest", () => {
    const ranked = ["9", "3", "8", "1", "7"];
    expect(collectionFirst(ranked, members(["1", "2", "3", "4"]), 10)).toEqual(["3", "1", "2", "4", "9", "8", "7"]);
  });

  it("stops at the number asked for", () => {
    expect(collectionFirst(["9", "3", "1"], members(["1", "2", "3"]), 2)).toEqual(["3", "1"]);
    expect(collectionFirst(["9", "3"], members(["1", "2", "3"]), 3)).toEqual(["3", "1", "2"]);
    expect(collectionFirst(["9"], members([]), 3)).toEqual(["9"]);
  });
});
