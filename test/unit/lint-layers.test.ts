import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The layer rule is only worth having if it really fires; this keeps it honest.
async function lintAs(filePath: string, code: string) {
  const eslint = new ESLint();
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports");
}

describe("the layer rule", () => {
  it("stops a worker from importing a route", async () => {
    const messages = await lintAs(
      "workers/processors/bad.ts",
      'import { loader } from "../../app/routes/app._index";\nvoid loader;\n',
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]?.message).toMatch(/Routes are the HTTP edge/);
  });

  it("stops shared code from importing a route", async () => {
    const messages = await lintAs("app/lib/bad.ts", 'import { loader } from "../routes/healthz";\nvoid loader;\n');
    expect(messages).toHaveLength(1);
  });

  it("stops storefront code from importing server code", async () => {
    const messages = await lintAs(
      "extensions/recs/assets/bad.js",
      'import { env } from "../../../app/lib/env.server";\nvoid env;\n',
    );
    expect(messages).toHaveLength(1);
  });

  it("lets a worker import shared code", async () => {
    expect(
      await lintAs(
        "workers/processors/good.ts",
        'import { createLogger } from "../../app/lib/logger.server";\nvoid createLogger;\n',
      ),
    ).toEqual([]);
  });
});
