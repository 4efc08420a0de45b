// pytest-mpm-bench's JavaScript/TypeScript driver: runs in the sandbox, next to the solution:
// solution.cjs (a classic script: JavaScript without module syntax) or solution.mjs (an ES
// module; TypeScript already transpiled by esbuild in the parent). Either has a generated
// footer appended: the script `return`s `{entry, codes}` from its CommonJS wrapper, the module
// exports it as `__mpm__`, so the entry point and the case's `code` snippets are read in the
// solution's own scope, whether the solution exports its names or only declares them. A script
// runs as `node file.js` runs it (sloppy mode, `this` is module.exports, top-level `return`).
// Reads input.json (inputs only), runs each test,
// awaits promises, and writes one JSON record per test, then an end record, to fd 3. The
// solution's stdout and stderr are diagnostics only. Everything the driver uses is bound before
// the solution is loaded, so patching globals from the solution cannot change the records.

import { existsSync, readFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { compileFunction } from "node:vm";

const CHANNEL = 3;
const MAX_DEPTH = 200;
const { stringify, parse } = JSON;
const { keys, getPrototypeOf } = Object;
const { isArray } = Array;
const { isFinite } = Number;
const isView = ArrayBuffer.isView;
const clock = performance.now.bind(performance);
const toText = String;
const apply = Reflect.apply;
const construct = Reflect.construct;
const hasOwn = Object.hasOwn;
const stderrWrite = process.stderr.write.bind(process.stderr);
const exitNow = (process.reallyExit ?? process.exit).bind(process); // skips 'exit' handlers
const REJECTED = [Map, Set, WeakMap, WeakSet, Date, RegExp, Promise, Error, Number, String,
                  Boolean, ArrayBuffer];

class NotData extends TypeError {
  constructor(message) { super(message); this.name = "NotData"; }
}

class ProcessExit extends Error {
  constructor(code) {
    super(`the solution called process.exit(${code ?? ""})`);
    this.name = "ProcessExit";
  }
}

function emit(text) {
  const data = Buffer.from(text + "\n", "utf8");
  let offset = 0;
  while (offset < data.length) offset += writeSync(CHANNEL, data, offset);
}

function record(fields) {
  emit(stringify(fields));
}

function typeName(value) {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  try {
    return getPrototypeOf(value)?.constructor?.name || "object";
  } catch {
    return "object";
  }
}

// The value as JSON text, read as data: arrays, plain objects (and instances, by their own
// enumerable properties), strings, numbers, booleans, null; undefined becomes null.
function encode(value, depth) {
  if (depth > MAX_DEPTH) throw new NotData("the value is nested too deeply (or is cyclic)");
  switch (typeof value) {
    case "undefined": return "null";
    case "boolean": return value ? "true" : "false";
    case "string": return stringify(value);
    case "bigint": return toText(value);
    case "number":
      if (isFinite(value)) return stringify(value);
      return value !== value ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
    case "function": case "symbol":
      throw new NotData(`returned a ${typeof value}, which is not JSON data`);
  }
  if (value === null) return "null";
  if (isArray(value)) {
    const parts = [];
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      parts.push(typeof item === "function" || typeof item === "symbol"
        ? "null" : encode(item, depth + 1));
    }
    return "[" + parts.join(",") + "]";
  }
  if (isView(value) || REJECTED.some((type) => value instanceof type)) {
    throw new NotData(`returned a ${typeName(value)}, which is not JSON data (use arrays, ` +
                      "plain objects, strings, numbers, booleans or null)");
  }
  const parts = [];
  for (const key of keys(value)) {
    const item = value[key];
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
    parts.push(stringify(key) + ":" + encode(item, depth + 1));
  }
  return "{" + parts.join(",") + "}";
}

// "Cannot find module 'x'" / "Cannot find package 'x'": a package this benchmark does not
// provide (a literal import is refused by the build step already; this is a computed one).
function missingPackage(error) {
  try {
    const code = error?.code;
    if (code !== "MODULE_NOT_FOUND" && code !== "ERR_MODULE_NOT_FOUND") return null;
    return /Cannot find (?:module|package) '([^']+)'/.exec(error.message)?.[1] ?? null;
  } catch {
    return null;
  }
}

function errorType(error) {
  if (error instanceof NotData) return "NotData";
  if (missingPackage(error) !== null) return "MissingPackage";
  if (error instanceof RangeError && /allocation failed|Array buffer allocation|Invalid (array|string) length/i.test(error.message)) {
    return "MemoryError";
  }
  if (error !== null && typeof error === "object") {
    try {
      const name = error.name ?? error.constructor?.name;
      if (typeof name === "string" && name) return name;
    } catch { /* a hostile getter: fall through */ }
    return "Error";
  }
  return `thrown ${typeof error}`;
}

function errorText(error) {
  const missing = missingPackage(error);
  if (missing !== null) return `imports '${missing}', which this benchmark does not provide`;
  let text;
  try {
    text = error instanceof Error ? `${errorType(error)}: ${error.message}` : toText(error);
  } catch {
    text = "an error that cannot be shown";
  }
  return text.slice(0, 2000);
}

// A failure outside any awaited promise (a throw in a timer, an unhandled rejection, the event
// loop running dry while a test waits) fails the test that is running, not the whole run.
let failCurrent = null;
function stray(error) {
  if (failCurrent) failCurrent(error);
  else stderrWrite(`mpm driver: stray error after a test: ${errorText(error)}\n`);
}
process.on("uncaughtException", stray);
process.on("unhandledRejection", stray);
process.on("beforeExit", () => {
  if (!failCurrent) return;
  failCurrent(new Error("the returned promise never settles"));
  setImmediate(() => {}); // keeps the loop alive: the next test may run dry too
});

function settleOrFail(promise) {
  return new Promise((resolvePromise, reject) => {
    failCurrent = reject;
    promise.then(resolvePromise, reject);
  }).finally(() => { failCurrent = null; });
}

function isConstructor(target) {
  return typeof target === "function" && target.prototype !== undefined;
}

async function runTest(solution, spec, test) {
  if (hasOwn(test, "code")) {
    const snippet = solution.codes[test.code];
    if (typeof snippet !== "function") throw new Error("harness: the snippet was not built in");
    return encode(await snippet(), 0);
  }
  const target = solution.entry();
  if (target === undefined || target === null) {
    throw new ReferenceError(`the solution does not define ${spec.entry_point}`);
  }
  if (hasOwn(test, "args")) return encode(await apply(target, undefined, test.args), 0);
  const results = [];
  let instance;
  for (const [name, args] of test.calls) {
    if (name === "__init__") {
      instance = isConstructor(target) ? construct(target, args) : apply(target, undefined, args);
      instance = await instance;
      results.push(null);
      continue;
    }
    const member = instance?.[name];
    let value;
    if (typeof member === "function") value = await apply(member, instance, args);
    else if (args.length === 0 && instance != null && name in Object(instance)) value = member;
    else throw new TypeError(`${name} is not a method of the instance`);
    results.push(encode(value, 1));
  }
  return "[" + results.map((r) => r ?? "null").join(",") + "]";
}

function entryFinder(namespace, entryPoint) {
  const cjs = globalThis.module;
  return () => {
    const inScope = namespace.__mpm__?.entry?.();
    if (inScope !== undefined) return inScope;
    if (namespace[entryPoint] !== undefined) return namespace[entryPoint];
    const exported = cjs?.exports;
    if (exported != null && exported[entryPoint] !== undefined) return exported[entryPoint];
    if (typeof exported === "function") return exported;
    if (typeof namespace.default === "function") return namespace.default;
    if (namespace.default?.[entryPoint] !== undefined) return namespace.default[entryPoint];
    return globalThis[entryPoint];
  };
}

// Node queues pipe writes in memory when the pipe is full, so a flooding loop would grow the
// heap and never reach the cap; blocking writes make the parent see the flood (and kill it).
function blockingStdio() {
  for (const stream of [process.stdout, process.stderr]) {
    try { stream._handle?.setBlocking?.(true); } catch { /* not a pipe: already synchronous */ }
  }
}

// The script as node runs a CommonJS file: compiled as the body of a function of (exports,
// require, module, __filename, __dirname), called with `this` = module.exports. Its first
// statement (generated) hands over the footer's function, whose {entry, codes} stands for a
// module's namespace.__mpm__ (see node_build.mjs).
function loadScript(path, cjs) {
  const body = compileFunction(readFileSync(path, "utf8"),
    ["exports", "require", "module", "__filename", "__dirname", "__mpm_register__"],
    { filename: path });
  let footer;
  apply(body, cjs.exports, [cjs.exports, globalThis.require, cjs, globalThis.__filename,
    globalThis.__dirname, (found) => { footer ??= found; }]);
  return { __mpm__: typeof footer === "function" ? footer() : undefined };
}

async function main() {
  blockingStdio();
  const spec = parse(readFileSync("input.json", "utf8"));
  const script = resolve("solution.cjs");
  const isScript = existsSync(script);
  const path = isScript ? script : resolve("solution.mjs");
  // CommonJS habits keep working: require, module.exports and exports are provided as globals
  // (a declaration of the same name in the solution simply shadows them).
  globalThis.require = createRequire(path);
  globalThis.module = { exports: {} };
  globalThis.exports = globalThis.module.exports;
  globalThis.__filename = path;
  globalThis.__dirname = dirname(path);
  process.exit = (code) => { throw new ProcessExit(code); };

  let namespace;
  try {
    namespace = isScript ? loadScript(path, globalThis.module)
      : await settleOrFail(import(pathToFileURL(path).href));
  } catch (error) {
    record({ type: "load_error", error_type: errorType(error), message: errorText(error) });
    return;
  }
  const solution = {
    entry: entryFinder(namespace, spec.entry_point),
    codes: namespace.__mpm__?.codes ?? {},
  };
  const tests = spec.tests;
  for (let index = 0; index < tests.length; index++) {
    const test = parse(tests[index]); // parsed per test: mutating an input hurts only itself
    const start = clock();
    let text;
    try {
      text = await settleOrFail(runTest(solution, spec, test));
    } catch (error) {
      record({ type: "result", index, ok: false, error_type: errorType(error),
               error: errorText(error), seconds: (clock() - start) / 1000 + 1e-12 });
      continue;
    }
    const seconds = ((clock() - start) / 1000).toFixed(9);
    emit(`{"type":"result","index":${index},"ok":true,"value":${text},"seconds":${seconds}}`);
  }
  record({ type: "end", count: tests.length });
}

try {
  await main();
} catch (error) {
  stderrWrite(`mpm driver: ${errorText(error)}\n`);
}
exitNow(0); // open handles of the solution (timers, servers) must not keep the run alive
