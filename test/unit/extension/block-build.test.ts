import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BLOCK_SCRIPT, buildBlockScript } from "../../../dev/block-script";

describe("the block's deployed script", () => {
  it("is the current build of its source (run npm run build:block after editing it)", () => {
    const source = readFileSync(BLOCK_SCRIPT.source, "utf8");
    expect(readFileSync(BLOCK_SCRIPT.asset, "utf8")).toBe(buildBlockScript(source));
  });
});
