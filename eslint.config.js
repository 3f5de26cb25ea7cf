import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

// Layers: routes may use everything; shared code (app/lib) and workers never import routes; the
// storefront extension never imports app code (it ships to shoppers' browsers).
const noRoutes = {
  group: ["**/routes/*", "**/routes/**", "~/routes/*"],
  message: "Routes are the HTTP edge. Move shared logic into app/lib and import it from there.",
};

// Workers run jobs; the admin folder serves the admin pages only (issue 17). What both need lives
// in the domain folders.
const noAdmin = {
  group: ["**/lib/admin/*", "**/lib/admin/**"],
  message: "app/lib/admin holds what the admin pages need. Move what a worker needs to its domain folder.",
};

// The shop table has one owner, app/lib/shops: every other module asks it (db.shop, tx.shop,
// deps.db.shop…), so a change to how shops are stored has one place to go.
const shopTableOwner = {
  selector:
    "MemberExpression[property.name='shop'][object.name=/^(db|tx|prisma)$/], MemberExpression[property.name='shop'][object.property.name=/^(db|prisma)$/]",
  message: "Only app/lib/shops queries the shop table. Add or use a function there.",
};

// Redis keys are spelled in app/lib/storefront-store/keys.ts alone (test/unit/storefront-store/keys.test.ts
// checks the whole tree); a template that puts a colon after a prefix is a key being spelled.
const keysOwner = {
  selector:
    "TemplateLiteral:has(> Identifier[name=/prefix$/i], > MemberExpression[property.name=/prefix$/i]):has(> TemplateElement[value.raw=/^:/])",
  message: "Redis keys are spelled in app/lib/storefront-store/keys.ts only. Add a key function there.",
};

export default tseslint.config(
  {
    ignores: [
      "build/**",
      ".cache/**",
      "node_modules/**",
      "prisma/generated/**",
      "test-output/**",
      // Built by npm run build:block from extensions-src/ (linted there).
      "extensions/recommendations/assets/recommendations.js",
      "var/**",
      "public/build/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: "module" },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    files: ["app/**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ["workers/**/*.ts", "app/lib/**/*.ts", "scripts/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [noRoutes] }] },
  },
  {
    files: ["workers/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [noRoutes, noAdmin] }] },
  },
  {
    files: ["app/**/*.{ts,tsx}", "workers/**/*.ts"],
    ignores: ["app/lib/shops/**", "app/lib/storefront-store/keys.ts"],
    rules: { "no-restricted-syntax": ["error", shopTableOwner, keysOwner] },
  },
  {
    // The owners: shops may query its table; keys.ts spells keys, and may query nothing.
    files: ["app/lib/shops/**/*.ts"],
    rules: { "no-restricted-syntax": ["error", keysOwner] },
  },
  {
    files: ["extensions/**/*.{js,ts}", "extensions-src/**/*.{js,ts}"],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [{ group: ["**/app/**", "**/workers/**"], message: "Storefront code cannot import server code." }],
        },
      ],
    },
  },
);
