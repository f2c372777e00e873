import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      ".medvault/**",
      "artifacts/**",
      "cache/**",
      "coverage/**",
      "types/**",
      ".next/**",
      "next-env.d.ts",
      "data/**",
      "test-results/**",
      "bench/**",
      "lib/chain/generated.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
);
