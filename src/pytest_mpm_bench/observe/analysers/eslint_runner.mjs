// pytest-mpm-bench's JavaScript/TypeScript analyser: one node process per solution runs ESLint
// (through its Node API, with the config of eslint_rules.mjs as the only one) and, for
// TypeScript, the TypeScript compiler with the extra checks of a clean code base. It runs in a
// scratch dir holding the solution, this script, eslint_rules.mjs and a node_modules link:
//
//   node eslint_runner.mjs <solution file>      -> JSON on stdout (below)
//   node eslint_runner.mjs --rules              -> the rule table, as JSON
//
// Output: {"tools": {"eslint": "9.x", "tsc": "5.x"}, "findings": [{tool, rule, line, message,
// points, dimension}, ...]} or {"error": "..."} when a package is missing. No solution code
// runs: the tools only parse and type-check it.
//
// Top-level declarations are the solution's interface (the harness calls the entry point by
// name, the case's snippets call the rest), so "declared but never used" is not reported for
// them: only for locals, parameters and imports.

import { copyFileSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";

const say = (value) => process.stdout.write(JSON.stringify(value) + "\n");
const file0 = process.argv[2] ?? "";
const typescript = /\.[cm]?tsx?$/.test(file0);

let ESLint, rulesModule, ts, tseslint, espree;
try {
  ({ ESLint } = await import("eslint"));
  rulesModule = await import("./eslint_rules.mjs");
  if (typescript) {
    ts = (await import("typescript")).default;
    tseslint = (await import("typescript-eslint")).default;
  } else {
    // ESLint's own parser, found through ESLint (the positions are the ones it reports).
    espree = createRequire(createRequire(import.meta.url).resolve("eslint"))("espree");
  }
} catch (error) {
  say({ error: `not installed: ${String(error.message ?? error).split("\n")[0]} ` +
               "(install with: scripts/install-toolchains node)" });
  process.exit(0);
}
const { RULES, configs } = rulesModule;

if (file0 === "--rules") {
  say(RULES);
  process.exit(0);
}

let file = file0;
// TypeScript's own suppressions hide nothing here: the file was written without them (the '@'
// of @ts-nocheck, @ts-ignore and @ts-expect-error a space, positions kept; analysers/node.py),
// and that copy is what both tools read.
const source = readFileSync(file, "utf8");

/** "line:column" (1-based) of the names the top-level statements declare. */
function topLevelNames() {
  const at = new Set();
  if (typescript) {
    const kind = file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
    const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, kind);
    const mark = (node) => {
      const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      at.add(`${line + 1}:${character + 1}`);
    };
    const binding = (name) => {
      mark(name);
      if (!ts.isIdentifier(name)) for (const e of name.elements) if (e.name) binding(e.name);
    };
    for (const statement of sf.statements) {
      if (ts.isVariableStatement(statement)) {
        mark(statement);
        mark(statement.declarationList);
        for (const declaration of statement.declarationList.declarations) binding(declaration.name);
      } else if (statement.name) {
        mark(statement);
        mark(statement.name);
      }
    }
    return at;
  }
  let ast;
  try {
    ast = espree.parse(source, { ecmaVersion: "latest", sourceType: "module", loc: true,
                                 ecmaFeatures: { jsx: true } });
  } catch {
    return at;  // ESLint reports the parse error
  }
  const mark = (node) => at.add(`${node.loc.start.line}:${node.loc.start.column + 1}`);
  const binding = (node) => {
    if (!node) return;
    if (node.type === "Identifier") mark(node);
    else if (node.type === "ObjectPattern") for (const p of node.properties) binding(p.value ?? p.argument);
    else if (node.type === "ArrayPattern") for (const e of node.elements) binding(e);
    else if (node.type === "RestElement") binding(node.argument);
    else if (node.type === "AssignmentPattern") binding(node.left);
  };
  for (const statement of ast.body) {
    if (statement.type === "VariableDeclaration") {
      for (const declaration of statement.declarations) binding(declaration.id);
    } else if (statement.id) {
      mark(statement.id);
    }
  }
  return at;
}

// The compiler options of the TypeScript build step (languages/drivers/node_build.mjs), so
// code that builds type-checks here too, plus the checks a clean code base turns on.
const EXTRA_CHECKS = {
  noUnusedLocals: true, noUnusedParameters: true, noImplicitReturns: true,
  noFallthroughCasesInSwitch: true, allowUnreachableCode: false, allowUnusedLabels: false,
};
const buildOptions = () => ({
  strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler, moduleDetection: ts.ModuleDetectionKind.Force,
  jsx: ts.JsxEmit.ReactJSX, lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
  types: ["node"], skipLibCheck: true, esModuleInterop: true, resolveJsonModule: false,
  allowJs: false,
});
// tsc diagnostics of those checks -> points (best_practices); any other diagnostic is a type
// error (3 points), which a solution that built cannot have.
const UNUSED = new Set([6133, 6138, 6192, 6196, 6198, 6199, 6205]);
const TSC_POINTS = { 7027: 2, 7028: 1, 7029: 3, 7030: 2 };
const TSC_CHECKS = {
  7027: "allowUnreachableCode", 7028: "allowUnusedLabels", 7029: "noFallthroughCasesInSwitch",
  7030: "noImplicitReturns",
};

// A .ts solution with JSX is checked as .tsx, as the build step does.
if (typescript && !file.endsWith("x")) {
  const parses = (name) => !ts.transpileModule(source, { fileName: name, reportDiagnostics: true,
    compilerOptions: { jsx: ts.JsxEmit.ReactJSX } }).diagnostics?.length;
  if (!parses(file) && parses(`${file}x`)) {
    copyFileSync(file, `${file}x`);
    file = `${file}x`;
  }
}
const api = topLevelNames();

const findings = [];
const tools = { eslint: ESLint.version };
let program = null;

// The build step refuses local imports and /// references (the compiler would read, and
// quote, files of this machine); a solution with one never reaches here, but never check one.
const info = typescript ? ts.preProcessFile(source, true, true) : null;
const local = info && (info.referencedFiles.length || info.libReferenceDirectives.length ||
  info.importedFiles.some((f) => /^[./]|^[a-zA-Z]:|^file:/.test(f.fileName)));
if (local) {
  findings.push({ tool: "tsc", message: "not checked: the solution imports a local file",
                  points: 0, dimension: "best_practices" });
} else if (typescript) {
  tools.tsc = ts.version;
  program = ts.createProgram([file], { ...buildOptions(), ...EXTRA_CHECKS });
  const mine = program.getSourceFile(file);
  for (const d of ts.getPreEmitDiagnostics(program, mine)) {
    if (d.category !== ts.DiagnosticCategory.Error) continue;
    const start = d.file && d.start !== undefined
      ? d.file.getLineAndCharacterOfPosition(d.start) : null;
    const line = start ? start.line + 1 : null;
    if (UNUSED.has(d.code) && start && api.has(`${line}:${start.character + 1}`)) continue;
    const check = UNUSED.has(d.code) ? "noUnused" : TSC_CHECKS[d.code] ?? "strict";
    findings.push({
      tool: "tsc", rule: `TS${d.code}`, line,
      message: `${ts.flattenDiagnosticMessageText(d.messageText, " ")} [${check}]`,
      points: UNUSED.has(d.code) ? 2 : TSC_POINTS[d.code] ?? 3, dimension: "best_practices",
    });
  }
}

const eslint = new ESLint({
  cwd: process.cwd(), overrideConfigFile: true, ignore: false,
  overrideConfig: configs({ tseslint, program }),
});
const [result] = await eslint.lintFiles([file]);
for (const m of result.messages) {
  if (m.ruleId === null) {
    // A parse error (the build would have failed it too), or a disable comment we ignore.
    findings.push({ tool: "eslint", rule: m.fatal ? "parse-error" : "inline-config",
                    line: m.line ?? null, message: m.message, points: m.fatal ? 3 : 0,
                    dimension: "best_practices" });
    continue;
  }
  if (m.ruleId === "no-unused-vars" && api.has(`${m.line}:${m.column}`)) continue;
  const rule = RULES[m.ruleId] ?? { dimension: "best_practices", points: 2 };
  findings.push({ tool: "eslint", rule: m.ruleId, line: m.line ?? null, message: m.message,
                  points: rule.points, dimension: rule.dimension });
}
say({ tools, findings });
