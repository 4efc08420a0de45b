// pytest-mpm-bench's ESLint flat config, for running ESLint by hand on a solution the way the
// benchmark does, less what needs the runner (eslint_runner.mjs): the typed rules, the tsc
// checks and leaving top-level declarations out of no-unused-vars. ESLint lints only files
// under the config's directory, so put this file and eslint_rules.mjs beside the solution
// (with a node_modules holding eslint, typescript-eslint and globals), then:
//
//   npx eslint -c eslint.config.mjs solution.ts
//
// The rules, their dimensions and points: eslint_rules.mjs and docs/scoring.md.

import tseslint from "typescript-eslint";

import { configs } from "./eslint_rules.mjs";

export default configs({ tseslint });
