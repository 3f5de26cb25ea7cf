import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { APP_NODE_FLAGS } from "../../app/lib/app-node-flags";

describe("the app server's Node flags", () => {
  it("are the ones npm start and npm run dev:server pass", () => {
    const scripts = JSON.parse(readFileSync("package.json", "utf8")).scripts as Record<string, string>;
    for (const name of ["start", "dev:server"]) {
      const flags = scripts[name]!.split(" ").filter((word) => word.startsWith("--") && word !== "--import");
      expect(flags, name).toEqual(APP_NODE_FLAGS);
    }
  });
});
