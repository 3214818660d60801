// Preloaded (`node -r`) by synth-examples: inside this repository, an example that imports the library by its package
// name ('cdk8s-vault-pki', as a consumer's program does, e.g. examples/quick-start/main.ts) gets the sources in src/.
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('module');

const SOURCES = path.join(__dirname, '..', 'src', 'index.ts');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolve(this: unknown, request: string, ...rest: unknown[]) {
  return resolveFilename.call(this, request === 'cdk8s-vault-pki' ? SOURCES : request, ...rest);
};
