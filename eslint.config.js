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
