// Preloaded with `node -r ./scripts/ts-register.js program.ts`: runs this repository's TypeScript programs (the examples,
// the reference synth, the scripts) without ts-node, transpiling each .ts file once and keeping the JavaScript in
// node_modules/.cache/cdk8s-vault-pki/ts/, keyed by the file's path and content, the TypeScript version and the options.
// `npm run synth` and every example of `npm run synth:examples` then share one transpile of src/ (ts-node repeated it
// for every program, and it was most of their time); a changed file is transpiled again on its next run. TypeScript
// itself is loaded only when a file is not in the cache. No type checking, like `ts-node --transpile-only`: the type
// checks are `npx tsc` and jsii.
//
// An import of the package by its name ('cdk8s-vault-pki', as a consumer's program writes it) gets the sources in src/
// (the same as scripts/resolve-package.ts, which ts-node programs preload).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const Module = require('module');

const ROOT = path.join(__dirname, '..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'cdk8s-vault-pki', 'ts');
const SOURCES = path.join(ROOT, 'src', 'index.ts');
// The options of tsconfig.json that change the emitted JavaScript, as ts-node --transpile-only applies them.
const COMPILER_OPTIONS = {
  module: 'commonjs',
  target: 'es2022',
  esModuleInterop: true,
  experimentalDecorators: true,
  resolveJsonModule: true,
  isolatedModules: true,
  inlineSourceMap: true,
  inlineSources: false,
};

let ts;
let salt;
function typescript() {
  if (!ts) ts = require('typescript');
  return ts;
}
function cacheSalt() {
  // The TypeScript version without loading TypeScript (reading its package.json is cheap).
  if (salt === undefined) {
    const version = JSON.parse(fs.readFileSync(require.resolve('typescript/package.json', { paths: [ROOT] }), 'utf8')).version;
    salt = `${version}\0${JSON.stringify(COMPILER_OPTIONS)}\0`;
  }
  return salt;
}

function compile(source, filename) {
  const key = crypto.createHash('sha256').update(cacheSalt()).update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(CACHE, key.slice(0, 2), `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // Not cached yet.
  }
  const t = typescript();
  const options = { ...COMPILER_OPTIONS, module: t.ModuleKind.CommonJS, target: t.ScriptTarget.ES2022 };
  const { outputText } = t.transpileModule(source, { fileName: filename, compilerOptions: options });
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  // Written under a unique name, then renamed: concurrent programs never read a half-written file.
  const temp = `${cached}.${process.pid}.tmp`;
  fs.writeFileSync(temp, outputText);
  fs.renameSync(temp, cached);
  return outputText;
}

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  module._compile(compile(fs.readFileSync(filename, 'utf8'), filename), filename);
};

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolve(request, ...rest) {
  return resolveFilename.call(this, request === 'cdk8s-vault-pki' ? SOURCES : request, ...rest);
};
// Stack traces point into the .ts files with `node --enable-source-maps` (the inline source maps).
