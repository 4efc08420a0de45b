// pytest-mpm-bench's ESLint flat config, for running ESLint by hand on a solution the way the
// benchmark does (without the typed rules and the tsc checks, which need the runner):
//
//   npx eslint --no-config-lookup -c src/pytest_mpm_bench/scoring/analysers/eslint.config.mjs \
//     --no-inline-config solution.ts
//
// The rules, their dimensions and points: eslint_rules.mjs and docs/scoring.md.

import tseslint from "typescript-eslint";

import { configs } from "./eslint_rules.mjs";

export default configs({ tseslint });
