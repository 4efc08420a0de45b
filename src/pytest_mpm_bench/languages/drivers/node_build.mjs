// pytest-mpm-bench's JavaScript/TypeScript build step: runs in the sandbox as a build (no
// solution code runs here), in a scratch dir holding the solution, mpm_build.json and
// js_driver.mjs; only <outdir> and the type-check cache are writable.
//
//   node node_build.mjs <node_modules> <outdir>     ($MPM_TYPECHECK_CACHE: marks of clean checks)
//
// JavaScript: the source is checked by esbuild's parser (JSX is accepted and transformed with
// the automatic React runtime); TypeScript: parsed as .ts (else .tsx), type-checked with the
// TypeScript compiler (--strict, no emit), then transpiled by esbuild. JavaScript that compiles
// as a CommonJS function body (no import/export, no top-level await) is a classic script, as
// `node file.js` runs it: outdir/solution.cjs = the solution + its footer, which the driver
// compiles as a function (never evaluated here). Anything else is an ES module:
// outdir/solution.mjs = the solution + `export const __mpm__ = footer;`. The footer (entry point
// and code snippets) is thus in the solution's own scope. Diagnostics go to stderr, exit code 1.

import { createHash } from "node:crypto";
import {
  copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync,
} from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { join } from "node:path";
import { compileFunction } from "node:vm";

const [nodeModules, outdir] = process.argv.slice(2);
const checkCache = process.env.MPM_TYPECHECK_CACHE;
const require = createRequire(join(nodeModules, "package.json"));
const esbuild = require("esbuild");
const spec = JSON.parse(readFileSync("mpm_build.json", "utf8"));
const source = readFileSync(spec.source_name, "utf8");
const footer = readFileSync("mpm_footer.txt", "utf8");

function fail(text) {
  process.stderr.write(text.trimEnd() + "\n");
  process.exit(1);
}

function parses(text, loader, sourcefile) {
  try {
    esbuild.transformSync(text, { loader, sourcefile, logLevel: "silent" });
    return null;
  } catch (error) {
    return (error.errors ?? []).map((m) => {
      const at = m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ` : "";
      const line = m.location?.lineText ? `\n    ${m.location.lineText}` : "";
      return `${at}error: ${m.text}${line}`;
    }).join("\n") || String(error.message);
  }
}

function pickLoader(plain, jsx) {
  const error = parses(source, plain, spec.source_name);
  if (error === null) return plain;
  if (parses(source, jsx, spec.source_name) === null) return jsx;
  fail(error);
}

// The type checker reads files: only package imports are allowed, so a solution cannot make
// the compiler read (and quote) files of this machine.
function screen(ts) {
  const info = ts.preProcessFile(source, true, true);
  const local = info.importedFiles.find((f) => /^[./]|^[a-zA-Z]:|^file:/.test(f.fileName));
  if (local) {
    fail(`${spec.source_name}: error: import of a local file '${local.fileName}': the solution ` +
         "is a single file; import only packages (react, react-dom, node:*)");
  }
  if (info.referencedFiles.length || info.libReferenceDirectives.length) {
    fail(`${spec.source_name}: error: /// <reference> directives are not supported`);
  }
}

// A type error is a compile error whatever the comments say: the copy the compiler checks has
// the '@' of @ts-nocheck, @ts-ignore and @ts-expect-error turned into a space (positions hold);
// esbuild transpiles the source as written.
const TS_PRAGMA = /@(?=ts-(?:nocheck|ignore|expect-error)\b)/gi;
const CHECKED = "mpm_checked";

// The package a bare specifier names ("lodash/fp" -> "lodash", "@a/b/c" -> "@a/b").
function packageOf(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

// Every import, export-from, require("...") and import("...") with a literal name must be one
// of node's own modules or a package this benchmark provides (spec.packages): anything else is
// a compile error that names it, so a missing package is never mistaken for a bug.
function screenPackages(ts) {
  const provided = new Set(spec.packages ?? []);
  const builtin = new Set(builtinModules);
  for (const { fileName } of ts.preProcessFile(source, true, true).importedFiles) {
    if (/^[./]|^[a-zA-Z]:|^file:/.test(fileName)) {
      fail(`${spec.source_name}: error: imports '${fileName}', a local file: the solution is a ` +
           "single file");
    }
    if (fileName.startsWith("node:") || builtin.has(fileName) || builtin.has(packageOf(fileName))
        || provided.has(packageOf(fileName))) continue;
    fail(`${spec.source_name}: error: imports '${fileName}', which this benchmark does not ` +
         `provide (it provides node's own modules and ${[...provided].join(", ")})`);
  }
}

function typeCheck(fileName) {
  const ts = require("typescript");
  screen(ts);
  const checked = source.replace(TS_PRAGMA, " ");
  // The staged source is read-only: the checked copy goes beside it, under the same name.
  mkdirSync(CHECKED, { recursive: true });
  writeFileSync(join(CHECKED, fileName), checked);
  symlinkSync(nodeModules, "node_modules", "dir");
  const options = {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler, moduleDetection: ts.ModuleDetectionKind.Force,
    jsx: ts.JsxEmit.ReactJSX, lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
    types: ["node"], skipLibCheck: true, esModuleInterop: true, resolveJsonModule: false,
    allowJs: false, noEmitOnError: true,
  };
  // A clean check depends only on the source, the file name and the compiler: remember it, so
  // the same solution built with other snippets (the performance run) is not checked again.
  const key = createHash("sha256").update(JSON.stringify([ts.version, fileName, options, checked]))
    .digest("hex").slice(0, 40);
  const mark = checkCache ? join(checkCache, `typecheck-${key}.ok`) : null;
  if (mark && existsSync(mark)) return;
  const program = ts.createProgram([join(CHECKED, fileName)], options);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (!diagnostics.length && mark) {
    writeFileSync(`${mark}.${process.pid}`, "");
    renameSync(`${mark}.${process.pid}`, mark);
  }
  if (diagnostics.length) {
    fail(ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(),
      getNewLine: () => "\n",
    }).replaceAll(process.cwd() + "/", "").replaceAll(CHECKED + "/", ""));
  }
}

// The CommonJS wrapper's parameters, as node gives them to a script (see js_driver.mjs).
const SCRIPT_PARAMS = ["exports", "require", "module", "__filename", "__dirname",
                       "__mpm_register__"];

// The script's own syntax error, or null when it compiles as a function body (not run: V8
// only compiles it).
function scriptError(text) {
  try {
    compileFunction(text, SCRIPT_PARAMS, { filename: spec.source_name });
    return null;
  } catch (error) {
    return `${spec.source_name}: error: ${error.message}`;
  }
}

// The script's footer is a hoisted function declared at its end, registered by a statement
// put before the first line (after a "use strict" directive, which must stay first; on the
// same line, so line numbers stay right): it is reachable even when the script returns early.
const DIRECTIVE = /^(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*(["'])use strict\1;?/;

function scriptOutput() {
  const prologue = DIRECTIVE.exec(source)?.[0] ?? "";
  return `${prologue}__mpm_register__(__mpm_footer__);${source.slice(prologue.length)}\n` +
    `;function __mpm_footer__() { return (${footer}); }\n`;
}

const typescript = spec.language === "typescript";
screenPackages(require("typescript"));
if (!typescript && scriptError(source) === null) {
  const output = scriptOutput();
  const error = scriptError(output);
  if (error !== null) fail(`the case's code snippets do not compile with this solution:\n${error}`);
  writeFileSync(join(outdir, "solution.cjs"), output);
  copyFileSync("js_driver.mjs", join(outdir, "js_driver.mjs"));
  process.exit(0);
}
const loader = typescript ? pickLoader("ts", "tsx") : pickLoader("js", "jsx");
if (typescript) typeCheck(loader === "tsx" ? "solution.tsx" : "solution.ts");

let output = `${source}\n;export const __mpm__ = ${footer};\n`;
if (loader !== "js") {
  try {
    output = esbuild.transformSync(output, {
      loader, sourcefile: spec.source_name, format: "esm", target: "node20", jsx: "automatic",
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } }, logLevel: "silent",
    }).code;
  } catch (error) {
    fail(`the case's code snippets do not compile with this solution:\n${error.message}`);
  }
} else {
  const error = parses(output, "js", spec.source_name);
  if (error !== null) fail(`the case's code snippets do not compile with this solution:\n${error}`);
}
writeFileSync(join(outdir, "solution.mjs"), output);
copyFileSync("js_driver.mjs", join(outdir, "js_driver.mjs"));
