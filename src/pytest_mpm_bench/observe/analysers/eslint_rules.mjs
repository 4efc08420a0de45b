// pytest-mpm-bench's ESLint rules for JavaScript and TypeScript solutions (ESLint 9,
// typescript-eslint 8), and the flat config built from them. eslint_runner.mjs builds its
// config with `configs()` and passes it as the only one: no eslint.config.* of any project is
// read, and no inline `/* eslint-disable */` comment counts (noInlineConfig).
// eslint.config.mjs beside this file is the same config for running ESLint by hand.
//
// RULES is the whole selection: every rule names the dimension its findings count against and
// its points (3 likely bug, 2 warning, 1 style; docs/scoring.md has the same table):
//   idiomaticity   — modern JavaScript / TypeScript idioms (prefer-const, no-var, templates,
//                    shorthand, arrow callbacks, ===, optional chaining, ...)
//   best_practices — possible problems (ESLint's and typescript-eslint's recommended sets,
//                    chosen one by one) and a few security rules (eval and friends)
// `files`: "all", "js" (JavaScript only: TypeScript's compiler already reports it, or, for
// no-unused-vars / no-fallthrough / consistent-return / no-unreachable, the runner's tsc
// checks do) or "ts". `typed`: needs type information; the runner passes the TypeScript
// program it builds anyway for the tsc checks, so these cost no second parse.
//
// Only `globals` is imported here: the runner loads typescript-eslint for TypeScript only,
// so linting JavaScript never pays for loading the TypeScript compiler.

import globals from "globals";

const idiom = (points, files = "all", options = [], typed = false) =>
  ({ dimension: "idiomaticity", points, files, options, typed });
const practice = (points, files = "all", options = [], typed = false) =>
  ({ dimension: "best_practices", points, files, options, typed });

export const RULES = {
  // ---- idiomaticity: modern JavaScript (both languages) ----
  "no-var": idiom(2),
  "eqeqeq": idiom(2, "all", ["smart"]),
  "prefer-const": idiom(1),
  "prefer-template": idiom(1),
  "object-shorthand": idiom(1),
  "prefer-arrow-callback": idiom(1),
  "prefer-rest-params": idiom(1),
  "prefer-spread": idiom(1),
  "prefer-exponentiation-operator": idiom(1),
  "prefer-object-spread": idiom(1),
  "prefer-object-has-own": idiom(1),
  "prefer-numeric-literals": idiom(1),
  "prefer-regex-literals": idiom(1),
  "no-useless-concat": idiom(1),
  "no-useless-return": idiom(1),
  "no-useless-rename": idiom(1),
  "no-useless-computed-key": idiom(1),
  "no-useless-call": idiom(1),
  "no-useless-catch": idiom(1),
  "no-useless-escape": idiom(1),
  "no-extra-bind": idiom(1),
  "no-extra-boolean-cast": idiom(1),
  "no-else-return": idiom(1, "all", [{ allowElseIf: false }]),
  "no-lonely-if": idiom(1),
  "no-unneeded-ternary": idiom(1),
  "operator-assignment": idiom(1),
  "dot-notation": idiom(1),
  "yoda": idiom(1),
  "no-regex-spaces": idiom(1),
  "no-useless-constructor": idiom(1, "js"),
  "no-array-constructor": idiom(1, "js"),
  // ---- idiomaticity: TypeScript ----
  "@typescript-eslint/no-useless-constructor": idiom(1, "ts"),
  "@typescript-eslint/no-array-constructor": idiom(1, "ts"),
  "@typescript-eslint/prefer-for-of": idiom(1, "ts"),
  "@typescript-eslint/no-inferrable-types": idiom(1, "ts"),
  "@typescript-eslint/prefer-function-type": idiom(1, "ts"),
  "@typescript-eslint/consistent-type-assertions": idiom(1, "ts"),
  "@typescript-eslint/prefer-as-const": idiom(1, "ts"),
  "@typescript-eslint/no-namespace": idiom(1, "ts"),
  "@typescript-eslint/prefer-namespace-keyword": idiom(1, "ts"),
  "@typescript-eslint/no-require-imports": idiom(1, "ts"),
  "@typescript-eslint/no-this-alias": idiom(1, "ts"),
  "@typescript-eslint/no-unnecessary-type-constraint": idiom(1, "ts"),
  "@typescript-eslint/prefer-optional-chain": idiom(1, "ts", [], true),
  // `s || "default"` on a string is usually meant (the empty string too): not reported.
  "@typescript-eslint/prefer-nullish-coalescing": idiom(1, "ts", [{ ignorePrimitives: { string: true } }],
                                                       true),
  "@typescript-eslint/prefer-includes": idiom(1, "ts", [], true),
  "@typescript-eslint/prefer-string-starts-ends-with": idiom(1, "ts", [], true),
  "@typescript-eslint/prefer-find": idiom(1, "ts", [], true),
  "@typescript-eslint/prefer-reduce-type-parameter": idiom(1, "ts", [], true),
  "@typescript-eslint/no-unnecessary-type-assertion": idiom(1, "ts", [], true),
  "@typescript-eslint/no-unnecessary-template-expression": idiom(1, "ts", [], true),

  // ---- best practices: likely bugs (ESLint's recommended "problem" rules, 3 points) ----
  "for-direction": practice(3),
  "no-async-promise-executor": practice(3),
  "no-compare-neg-zero": practice(3),
  "no-cond-assign": practice(3),
  "no-constant-binary-expression": practice(3),
  "no-dupe-else-if": practice(3),
  "no-duplicate-case": practice(3),
  "no-empty-character-class": practice(3),
  "no-ex-assign": practice(3),
  "no-invalid-regexp": practice(3),
  "no-loss-of-precision": practice(3),
  "no-misleading-character-class": practice(3),
  "no-self-assign": practice(3),
  "no-unexpected-multiline": practice(3),
  "no-unsafe-finally": practice(3),
  "no-unsafe-optional-chaining": practice(3),
  "use-isnan": practice(3),
  "valid-typeof": practice(3),
  "no-global-assign": practice(3),
  "no-shadow-restricted-names": practice(3),
  "no-delete-var": practice(3),
  // the same, where TypeScript's compiler reports them for .ts
  "constructor-super": practice(3, "js"),
  "getter-return": practice(3, "js"),
  "no-class-assign": practice(3, "js"),
  "no-const-assign": practice(3, "js"),
  "no-dupe-args": practice(3, "js"),
  "no-dupe-class-members": practice(3, "js"),
  "no-dupe-keys": practice(3, "js"),
  "no-func-assign": practice(3, "js"),
  "no-import-assign": practice(3, "js"),
  "no-new-native-nonconstructor": practice(3, "js"),
  "no-obj-calls": practice(3, "js"),
  "no-redeclare": practice(3, "js"),
  "no-setter-return": practice(3, "js"),
  "no-this-before-super": practice(3, "js"),
  "no-undef": practice(3, "js"),
  "no-unsafe-negation": practice(3, "js"),
  "no-with": practice(3, "js"),
  "no-fallthrough": practice(3, "js"),
  // ---- best practices: likely bugs beyond the recommended set (3 points) ----
  "array-callback-return": practice(3),
  "no-self-compare": practice(3),
  "no-unmodified-loop-condition": practice(3),
  "no-unreachable-loop": practice(3),
  "no-constructor-return": practice(3),
  "no-caller": practice(3),
  "no-extend-native": practice(3),
  "no-eval": practice(3),
  "no-new-func": practice(3),
  "no-script-url": practice(3),
  "no-implied-eval": practice(3, "js"),
  // ---- best practices: warnings (2 points) ----
  "no-unused-vars": practice(2, "js", [{ args: "after-used", argsIgnorePattern: "^_",
                                         ignoreRestSiblings: true }]),
  "no-unreachable": practice(2, "js"),
  "consistent-return": practice(2, "js"),
  "no-useless-assignment": practice(2),
  "no-unused-private-class-members": practice(2),
  "no-constant-condition": practice(2),
  "no-empty": practice(2),
  "no-empty-pattern": practice(2),
  "no-sparse-arrays": practice(2),
  "no-prototype-builtins": practice(2),
  "no-case-declarations": practice(2),
  "no-control-regex": practice(2),
  "no-useless-backreference": practice(2),
  "no-irregular-whitespace": practice(2),
  "no-nonoctal-decimal-escape": practice(2),
  "no-octal": practice(2),
  "no-debugger": practice(2),
  "require-yield": practice(2),
  "no-template-curly-in-string": practice(2),
  "no-return-assign": practice(2),
  "no-sequences": practice(2),
  "no-new-wrappers": practice(2),
  "no-proto": practice(2),
  "default-case-last": practice(2),
  "no-throw-literal": practice(2, "js"),
  "no-unused-expressions": practice(2, "js"),
  "no-unused-labels": practice(1),
  // ---- best practices: TypeScript ----
  "@typescript-eslint/no-explicit-any": practice(2, "ts"),
  "@typescript-eslint/ban-ts-comment": practice(2, "ts"),
  "@typescript-eslint/no-unused-expressions": practice(2, "ts"),
  "@typescript-eslint/no-unsafe-function-type": practice(2, "ts"),
  "@typescript-eslint/no-wrapper-object-types": practice(2, "ts"),
  "@typescript-eslint/no-empty-object-type": practice(2, "ts"),
  "@typescript-eslint/no-extra-non-null-assertion": practice(2, "ts"),
  "@typescript-eslint/no-non-null-asserted-optional-chain": practice(3, "ts"),
  "@typescript-eslint/no-misused-new": practice(3, "ts"),
  "@typescript-eslint/no-duplicate-enum-values": practice(3, "ts"),
  "@typescript-eslint/no-unsafe-declaration-merging": practice(3, "ts"),
  "@typescript-eslint/no-floating-promises": practice(3, "ts", [], true),
  "@typescript-eslint/no-misused-promises": practice(3, "ts", [], true),
  "@typescript-eslint/await-thenable": practice(3, "ts", [], true),
  "@typescript-eslint/no-for-in-array": practice(3, "ts", [], true),
  "@typescript-eslint/no-base-to-string": practice(3, "ts", [], true),
  "@typescript-eslint/no-array-delete": practice(3, "ts", [], true),
  "@typescript-eslint/no-implied-eval": practice(3, "ts", [], true),
  "@typescript-eslint/only-throw-error": practice(2, "ts", [], true),
  "@typescript-eslint/prefer-promise-reject-errors": practice(2, "ts", [], true),
};

export const JS_FILES = ["**/*.js", "**/*.jsx", "**/*.mjs", "**/*.cjs"];
export const TS_FILES = ["**/*.ts", "**/*.tsx", "**/*.mts", "**/*.cts"];

function rules(files, typed) {
  return Object.fromEntries(Object.entries(RULES)
    .filter(([, r]) => (r.files === "all" || r.files === files) && r.typed === typed)
    .map(([name, r]) => [name, ["error", ...r.options]]));
}

/**
 * The flat config. TypeScript files need `tseslint` (the typescript-eslint module); with a
 * TypeScript `program` of the file, the typed rules run too.
 */
export function configs({ tseslint = null, program = null } = {}) {
  const list = [
    { linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: "off" } },
    {
      files: JS_FILES,
      languageOptions: {
        ecmaVersion: "latest", sourceType: "module",
        parserOptions: { ecmaFeatures: { jsx: true } },
        // Solutions may use CommonJS habits (the Node executor provides module and require).
        globals: { ...globals.node, ...globals.browser, ...globals.commonjs },
      },
      rules: { ...rules("all", false), ...rules("js", false) },
    },
  ];
  if (tseslint) {
    list.push({
      files: TS_FILES,
      languageOptions: { parser: tseslint.parser, ecmaVersion: "latest", sourceType: "module" },
      plugins: { "@typescript-eslint": tseslint.plugin },
      rules: { ...rules("all", false), ...rules("ts", false) },
    });
  }
  if (tseslint && program) {
    list.push({
      files: TS_FILES,
      languageOptions: { parserOptions: { programs: [program] } },
      rules: rules("ts", true),
    });
  }
  return list;
}
