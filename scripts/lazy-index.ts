// lazy-index [lib]: after compiling, rewrites lib/index.js so that `require('cdk8s-vault-pki')` loads a module of the
// library only when the program first reads one of its exports (aws-cdk-lib ships its index the same way). A program
// then pays start-up time and memory for what it uses: the fleet synth never loads ConsistencyCheck, the audit, the
// mesh, ACME or the fleet contract's reader, nor (through them) cdk8s-plus-28 and the generated CRD classes.
//
// tsc's index.js re-exports every module eagerly (`__exportStar(require("./x"), exports)`, or a getter over an eagerly
// required module for `export { X } from './x'`). This script maps every export name to the module that defines it
// (following re-exports through nested index files), checks the map against the compiled index itself (the same names,
// each the very same object), writes getters that require the defining module on first read, and then loads every
// defining module on its own, with an empty require cache for lib/, so that no entry point depends on an import order
// the eager index used to give it (a circular import would show here, not in a user's program). Idempotent: an index it
// already wrote is left alone.
import * as fs from 'fs';
import * as path from 'path';

const MARKER = '// Lazy index written by scripts/lazy-index.ts';

interface Source {
  /** Path of the defining module relative to lib/, e.g. `./cluster/gitops-output`. */
  readonly module: string;
  /** Its export's name. */
  readonly name: string;
}

function resolveModule(fromFile: string, request: string): string {
  const base = path.resolve(path.dirname(fromFile), request);
  if (fs.existsSync(`${base}.js`)) return `${base}.js`;
  if (fs.existsSync(path.join(base, 'index.js'))) return path.join(base, 'index.js');
  throw new Error(`${fromFile}: cannot resolve '${request}'`);
}

/** Every export of the compiled module `file`, by name, with the module that defines it. */
function exportsOf(file: string, lib: string, seen: Set<string> = new Set()): Map<string, Source> {
  if (seen.has(file)) throw new Error(`${file}: re-exports itself through a cycle`);
  seen.add(file);
  const text = fs.readFileSync(file, 'utf8');
  const out = new Map<string, Source>();
  const add = (name: string, source: Source) => {
    if (!out.has(name)) out.set(name, source);
  };
  const self = `./${path.relative(lib, file).replace(/\\/g, '/').replace(/\.js$/, '')}`;
  const variables = new Map<string, string>();
  for (const m of text.matchAll(/(?:var|const|let) (\w+) = (?:__importStar\()?require\("(\.[^"]+)"\)/g)) variables.set(m[1], m[2]);
  for (const m of text.matchAll(/__exportStar\(require\("(\.[^"]+)"\), exports\)/g)) {
    for (const [name, source] of exportsOf(resolveModule(file, m[1]), lib, new Set(seen))) add(name, source);
  }
  for (const m of text.matchAll(/Object\.defineProperty\(exports, "(\w+)", \{ enumerable: true, get: function \(\) \{ return (\w+)\.(\w+); \} \}\)/g)) {
    const request = variables.get(m[2]);
    if (!request) throw new Error(`${file}: re-export '${m[1]}' of an unknown module variable '${m[2]}'`);
    const inner = exportsOf(resolveModule(file, request), lib, new Set(seen)).get(m[3]);
    if (!inner) throw new Error(`${file}: '${m[3]}' is not exported by '${request}'`);
    add(m[1], inner);
  }
  for (const m of text.matchAll(/\bexports\.(\w+) = (?!void 0)/g)) {
    if (m[1] !== '__esModule') add(m[1], { module: self, name: m[1] });
  }
  return out;
}

function main(args: string[]): void {
  const lib = path.resolve(args[0] ?? path.join(__dirname, '..', 'lib'));
  const indexFile = path.join(lib, 'index.js');
  const original = fs.readFileSync(indexFile, 'utf8');
  if (original.startsWith(`"use strict";\n${MARKER}`)) {
    console.log('lazy-index: lib/index.js is already lazy');
    return;
  }
  const sources = exportsOf(indexFile, lib);

  // The map must describe the compiled index exactly: the same names, each the very same object.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const eager = require(indexFile);
  const eagerNames = Object.keys(eager).sort();
  const mapped = [...sources.keys()].sort();
  if (eagerNames.join(',') !== mapped.join(',')) {
    const missing = eagerNames.filter((n) => !sources.has(n));
    const extra = mapped.filter((n) => !(n in eager));
    throw new Error(`lazy-index: the export map differs from lib/index.js (missing: ${missing.join(', ') || '-'}; extra: ${extra.join(', ') || '-'})`);
  }
  for (const [name, source] of sources) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (require(path.join(lib, source.module))[source.name] !== eager[name]) {
      throw new Error(`lazy-index: '${name}' of lib/index.js is not '${source.name}' of ${source.module}`);
    }
  }

  const modules = [...new Set([...sources.values()].map((s) => s.module))].sort();
  const lines = [
    '"use strict";',
    MARKER,
    '// (see there): every export is a getter that requires its module on first read. Generated after compiling; do not edit.',
    'Object.defineProperty(exports, "__esModule", { value: true });',
    'function lazy(name, load, key) {',
    '    Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: () => load()[key] });',
    '}',
  ];
  for (const module of modules) {
    const names = [...sources].filter(([, s]) => s.module === module).map(([name, s]) => [name, s.name]);
    lines.push(`// ${module}`);
    for (const [name, key] of names) lines.push(`lazy(${JSON.stringify(name)}, () => require(${JSON.stringify(module)}), ${JSON.stringify(key)});`);
  }
  fs.writeFileSync(indexFile, `${lines.join('\n')}\n`);

  // Each defining module must load on its own, whatever was loaded before.
  const ownModules = () => Object.keys(require.cache).filter((f) => f.startsWith(lib + path.sep));
  for (const module of modules) {
    for (const f of ownModules()) delete require.cache[f];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(path.join(lib, module));
    for (const [name, source] of sources) {
      if (source.module === module && loaded[source.name] === undefined) {
        throw new Error(`lazy-index: ${module} loaded on its own has no '${source.name}' (for '${name}'): a circular import?`);
      }
    }
  }
  for (const f of ownModules()) delete require.cache[f];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lazy = require(indexFile);
  const missing = eagerNames.filter((n) => lazy[n] === undefined);
  if (missing.length > 0) throw new Error(`lazy-index: the lazy index has no ${missing.join(', ')}`);
  console.log(`lazy-index: lib/index.js re-exports ${sources.size} names of ${modules.length} modules lazily`);
}

main(process.argv.slice(2));
