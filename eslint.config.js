// ESLint for the staff console's ES modules (no build step: what is linted is what the browser runs).
// The mini-program has its own tooling; vendored libraries are linted by their authors, not here.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["**/vendor/**", "miniprogram/**", "node_modules/**", ".venv/**"] },
  {
    files: ["server/console/static/**/*.js"],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: "module",
      globals: globals.browser,
    },
    rules: {
      ...js.configs.recommended.rules,
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      "no-var": "error",
      "prefer-const": "error",
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-implicit-globals": "error",
      "no-console": ["error", { allow: ["error", "warn"] }],
    },
  },
];
