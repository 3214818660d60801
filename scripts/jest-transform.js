// jest's transform for this repository's TypeScript (package.json "jest.transform", set in .projenrc.ts): sucrase strips
// the types and turns the imports into require() calls, as `tsc --isolatedModules` (which ts-jest ran per file) does,
// keeping every line where it was (stack traces and failure messages point at the right lines without a source map).
// No type checking here, as with ts-jest in isolatedModules mode: `npm run typecheck` and jsii check the types.
// Why: a fresh clone (CI) transpiled src/ and test/ with TypeScript in each jest worker, ~25 s of `npm test`; sucrase
// does the same work some 20 times faster, in plain JavaScript (nothing per platform to install).
'use strict';
const crypto = require('crypto');
const { transform } = require('sucrase');
const SUCRASE_VERSION = require('sucrase/package.json').version;
const SELF = require('fs').readFileSync(__filename, 'utf8');

const OPTIONS = {
  transforms: ['typescript', 'imports'],
  // The emitted JavaScript of tsconfig.json: no JSX, CommonJS modules with esModuleInterop.
  production: true,
  disableESTransforms: true,
  // An import used only as a type is dropped, as TypeScript drops it.
  keepUnusedImports: false,
};

module.exports = {
  process(source, filePath) {
    return { code: transform(source, { ...OPTIONS, filePath }).code };
  },
  getCacheKey(source, filePath) {
    return crypto.createHash('sha256').update(SUCRASE_VERSION).update('\0').update(SELF).update('\0').update(filePath).update('\0').update(source).digest('hex');
  },
};
