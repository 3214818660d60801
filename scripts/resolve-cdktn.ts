// Preloaded (`node -r`) by check-cdktn: every `require('cdktf')` (the library's src/terraform, the @cdktf/provider-*
// classes, the program) and every `require('constructs')` resolves in the folder CDKTN_NODE_MODULES names, where
// `cdktf` is installed as an npm alias of cdktn (CDK Terrain) with the constructs version cdktn asks for: what a
// consumer's package.json `overrides` does, for the example programs of this repository.
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('module');

const modules = process.env.CDKTN_NODE_MODULES;
if (!modules) throw new Error('resolve-cdktn: set CDKTN_NODE_MODULES to the node_modules folder holding cdktf@npm:cdktn');
const redirected = /^(cdktf|constructs)(\/|$)/;
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolve(this: unknown, request: string, parent: unknown, isMain: boolean, options: unknown) {
  if (redirected.test(request)) return resolveFilename.call(this, request, parent, isMain, { paths: [path.dirname(modules)] });
  return resolveFilename.call(this, request, parent, isMain, options);
};
