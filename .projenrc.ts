import { cdk8s, IgnoreFile, javascript, JsonFile, TextFile, YamlFile } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

// Versions the library is built and tested against (see ../shared/DESIGN.md, "Stack").
const CDK8S = '2.70.106';
const CDK8S_PLUS = '2.5.6';
const CONSTRUCTS = '10.4.2';
const CDKTF = '0.21.0';
const PROVIDER_VAULT = '15.6.1';
const PROVIDER_KUBERNETES = '12.1.1';
// TypeScript 6/7 break ts-node based .projenrc.ts and jsii 5.9; pin the pair jsii supports.
const TYPESCRIPT = '~5.9.3';


const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-vault-pki',
  description:
    'Hardened internal PKI on Kubernetes: one TypeScript program synthesizes the Vault PKI Terraform (cdktf) and the ' +
    'cert-manager, approver-policy, trust-manager and Prometheus manifests (cdk8s), always consistent with each other.',
  keywords: ['cdk8s', 'cdktf', 'vault', 'pki', 'cert-manager', 'approver-policy', 'trust-manager', 'terraform', 'kubernetes'],
  author: 'cdk8s-vault-pki maintainers',
  authorAddress: 'maintainers@cdk8s-vault-pki.invalid',
  repositoryUrl: 'https://github.com/cdk8s-vault-pki/cdk8s-vault-pki.git',
  defaultReleaseBranch: 'main',
  license: 'Apache-2.0',
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: '20.0.0',
  projenrcTs: true,

  jsiiVersion: '~5.9.0',
  typescriptVersion: TYPESCRIPT,
  cdk8sVersion: CDK8S,
  constructsVersion: CONSTRUCTS,

  // Bindings for other languages (jsii). What builds on a machine that reaches only the npm registry and Debian's
  // packages is what `npm run package:<language>` does (scripts/package-language.ts); the README says what does not.
  publishToPypi: { distName: 'cdk8s-vault-pki', module: 'cdk8s_vault_pki' },
  publishToGo: { moduleName: 'github.com/cdk8s-vault-pki/cdk8s-vault-pki-go' },
  publishToMaven: { javaPackage: 'io.github.cdk8svaultpki', mavenGroupId: 'io.github.cdk8s-vault-pki', mavenArtifactId: 'cdk8s-vault-pki' },

  // `dist/` is where `cdk8s synth` writes the Kubernetes manifests (the product's output);
  // jsii's packaged artifacts go elsewhere so the two never mix.
  artifactsDirectory: 'dist-jsii',

  // Parsing synthesized YAML (ConsistencyCheck.checkOutputs): js-yaml parses ~15 MB/s here, six times the `yaml`
  // package, which keeps a 10,000-tenant fleet check in seconds. Bundled, as jsii requires of non-jsii dependencies.
  bundledDeps: ['js-yaml@^4.1.0'],
  peerDeps: [
    `cdk8s-plus-28@^${CDK8S_PLUS}`,
    `cdktf@^${CDKTF}`,
    `@cdktf/provider-vault@^${PROVIDER_VAULT}`,
    `@cdktf/provider-kubernetes@^${PROVIDER_KUBERNETES}`,
  ],
  devDeps: [
    'cdk8s-cli@^2.207.0',
    'fast-check@^4.10.0',
    'ajv@^8.17.0',
    // CEL and RE2 (Go regex syntax) for strict CRD validation (x-kubernetes-validations, patterns).
    '@bufbuild/cel@0.6.1',
    '@bufbuild/re2@0.6.1',
    '@types/node@^20',
    '@types/js-yaml@^4',
    'yaml@^2.8.0',
    // X.509 and CSRs built the way each requester builds them, for the approver-policy model (test/models).
    '@peculiar/x509@^2.2.0',
    'reflect-metadata@^0.2.2',
    // jest's TypeScript transform (scripts/jest-transform.js).
    'sucrase@^3.35.0',
  ],

  // CI is `.ci/run` on a clean clone; no hosted workflows, no automated release.
  github: false,
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  sampleCode: false,

  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench', 'scripts'],
    // `npm test` (and CI) must not rewrite files: lint reports, `npx eslint --fix` fixes. Results are cached by file content
    // (node_modules/.cache/eslint): a run re-lints the files that changed since the last one; a fresh clone (CI) lints all.
    commandOptions: {
      fix: false,
      extraArgs: ['--cache', '--cache-strategy', 'content', '--cache-location', 'node_modules/.cache/eslint/'],
    },
    // One TypeScript program for every linted file (tsconfig.eslint.json, below) instead of the project service's one per
    // tsconfig (src, test, examples, bench, scripts): the library's sources are type-checked once, not five times.
    projectService: false,
    tsconfigPath: './tsconfig.eslint.json',
  },
  jestOptions: {
    // jest 30 and eslint-import-resolver-typescript >= 3.10 pull unrs-resolver, whose per-platform
    // optional packages this registry does not serve: `npm ci` then rejects the lock file.
    jestVersion: '^29',
    // A changed snapshot fails `npm test`; `npm run test:update` rewrites snapshots on purpose.
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 60_000,
      coveragePathIgnorePatterns: ['/node_modules/', '/src/imports/'],
      // Every core (jest's default leaves one idle: one worker on a 2-core machine).
      maxWorkers: '100%',
      // Coverage is a report (no threshold checks it) that more than doubles the suite's time: `npm run test:coverage`
      // runs the same tests with it; `npm test` runs them without.
      collectCoverage: false,
      // No formatting of the stack traces cdktf captures for every token (real errors keep their source mapping).
      setupFilesAfterEnv: ['<rootDir>/test/setup-stack-traces.ts'],
      // Outputs are not modules: jest's file crawl skips them (a kept benchmark output, 190,000 files, cost every test
      // file 2 s of lstat).
      modulePathIgnorePatterns: ['<rootDir>/bench/out/', '<rootDir>/examples.out/', '<rootDir>/cdktf.out/', '<rootDir>/dist/',
        '<rootDir>/dist-jsii/', '<rootDir>/coverage/', '<rootDir>/test-reports/', '<rootDir>/scratch/', '<rootDir>/.bench/'],
    },
  },
  gitignore: ['/scratch/', '/cdktf.out/', '/bench/out/', '/.bench/', '*.cpuprofile'],
});

// The upstream schemas every output is checked against (CRDs, Terraform provider schemas) are vendored under
// upstream/ with their provenance, so tests and CI need nothing outside the repository. `npm run check:upstream`
// proves the vendored copies are byte-identical to the team's reference copies in ../shared when that exists.
// Typed classes for the upstream CRDs we emit are generated from upstream/crds into src/imports.
const CRD_IMPORTS: Array<[string, string]> = [
  ['certificate', 'cert-manager.io_Certificate.yaml'],
  ['issuer', 'cert-manager.io_Issuer.yaml'],
  ['approver-policy', 'policy.cert-manager.io_CertificateRequestPolicy.yaml'],
  ['trust-manager', 'trust.cert-manager.io_Bundle.yaml'],
  ['prometheus-operator', 'monitoring.coreos.com_PrometheusRule.yaml'],
  ['probe', 'monitoring.coreos.com_Probe.yaml'],
];
project.addTask('import:crds', {
  description: 'Regenerate src/imports from the upstream CRD schemas in upstream/crds',
  steps: CRD_IMPORTS.map(([name, file]) => ({
    exec: `cdk8s import ${name}:=upstream/crds/${file} --language typescript --output src/imports`,
  })),
});
project.eslint?.addIgnorePattern('src/imports/');
// cdktf is archived upstream (cdktn is its successor): only src/terraform/ may import it, so a switch stays a rename.
const cdktfOnlyInTerraform = {
  patterns: [{ group: ['cdktf', 'cdktf/*', '@cdktf/*'], message: 'import cdktf and the providers through src/terraform only' }],
};
project.eslint?.addOverride({ files: ['src/**/*.ts'], rules: { 'no-restricted-imports': ['error', cdktfOnlyInTerraform] } });
project.eslint?.addOverride({ files: ['src/terraform/**/*.ts'], rules: { 'no-restricted-imports': 'off' } });
// After the eslint component (which adds it unpinned): >= 3.10 pulls unrs-resolver (see jestVersion).
project.addDevDeps('eslint-import-resolver-typescript@~3.8.7');
// jest strips the types with sucrase (scripts/jest-transform.js), not ts-jest: the same per-file transpile without type
// checking (ts-jest ran in isolatedModules mode; the types are checked by `npm run typecheck` and jsii), ~20 times
// faster, which a fresh clone's `npm test` (CI) paid in full: 89.6 -> 75.7 s with no transform cache, 1149 tests alike.
project.jest!.config.transform = { '^.+\\.[t]sx?$': new javascript.Transform('<rootDir>/scripts/jest-transform.js') };
project.deps.removeDependency('ts-jest');
project.npmignore?.exclude('/examples/', '/examples.out/', '/bench/', '/scripts/', '/cdktf.out/', '/.ci/', '/cdk8s.yaml', '/cdktf.json',
  '/upstream/', '/scratch/', '/test-reports/');
project.gitignore.exclude('/examples.out/', '/cdk8s-vault-pki-*.tgz', '/dist-jsii/');
project.npmignore?.exclude('/dist-jsii/');

// What eslint's type-aware rules see: every linted file in one program, with the library's settings.
new JsonFile(project, 'tsconfig.eslint.json', {
  obj: {
    extends: './tsconfig.json',
    compilerOptions: { rootDir: '.', noEmit: true, isolatedModules: true, paths: { 'cdk8s-vault-pki': ['./src'] } },
    include: ['src/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'projenrc/**/*.ts', '.projenrc.ts'],
    exclude: ['node_modules', 'examples/**/node_modules'],
  },
});
project.npmignore?.exclude('/tsconfig.eslint.json');

// Programs outside src/ (examples, benchmark, scripts) type-check against the library's settings.
for (const dir of ['examples', 'bench', 'scripts']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: {
      extends: '../tsconfig.json',
      compilerOptions: { rootDir: '..', noEmit: true, isolatedModules: true, paths: { 'cdk8s-vault-pki': ['../src'] } },
      include: ['**/*.ts'],
    },
  });
}

// jest transpiles each file on its own (isolatedModules) and jsii compiles src/ only: the tests, examples and scripts
// are type-checked here (an attribute a test reads that its type does not have, an unused import). The benchmark
// imports the compiled lib/, so `npm run bench` type-checks it once it has compiled the library.
project.addTask('typecheck', {
  description: 'Type-check the tests, examples and scripts (tsc --noEmit with their tsconfig.json)',
  steps: ['test', 'examples', 'scripts'].map((dir) => ({ exec: `tsc --noEmit -p ${dir}/tsconfig.json` })),
});

// `cdktf synth` of the reference scenario (the same program as `cdk8s synth`: it writes both outputs). Like every program
// of this repository it runs with scripts/ts-register.js: each .ts file transpiled once and cached, not on every run.
new JsonFile(project, 'cdktf.json', {
  obj: {
    language: 'typescript',
    app: 'node -r ./scripts/ts-register.js examples/reference/main.ts',
    output: 'cdktf.out',
    terraformProviders: [],
    terraformModules: [],
    sendCrashReports: 'false',
  },
});

// A consumer's project, as the README's Install and Quick start describe it: examples/quick-start runs as it is when
// copied out of this repository. `npm install <the packed library>` (or, once published, the registry name) then
// `npm install` and `npm run synth`, with the toolchain npm installs by default today: the program runs with tsx
// (esbuild, no TypeScript compiler involved, so a new TypeScript major cannot break it); `npm run typecheck` uses the
// TypeScript it lists. Its cdk8s.yaml and cdktf.json work with the CLIs it lists (`npx cdk8s synth`, `npx cdktf synth`).
// `npm run test:consumer` copies the folder unchanged and does exactly that.
const QUICK_START_RUN = 'npx tsx main.ts';
new JsonFile(project, 'examples/quick-start/package.json', {
  obj: {
    name: 'cdk8s-vault-pki-quick-start',
    private: true,
    description: 'The README quick start as a consumer project: npm install <cdk8s-vault-pki tarball>, npm install, npm run synth',
    scripts: {
      'synth': 'tsx main.ts',
      'synth:cdk8s': 'cdk8s synth --no-check-upgrade',
      'synth:cdktf': 'cdktf synth',
      'typecheck': 'tsc -p .',
      'check': 'cdk8s-vault-pki check .',
    },
    dependencies: {
      // `npm install ../cdk8s-vault-pki-0.0.0.tgz` (a clone's `npm pack`) rewrites this to the file it installed.
      'cdk8s-vault-pki': '*',
      'cdk8s': CDK8S,
      'cdk8s-plus-28': CDK8S_PLUS,
      'constructs': CONSTRUCTS,
      'cdktf': CDKTF,
      '@cdktf/provider-vault': PROVIDER_VAULT,
      '@cdktf/provider-kubernetes': PROVIDER_KUBERNETES,
    },
    devDependencies: {
      'tsx': '^4.20.0',
      'typescript': '^7.0.2',
      '@types/node': '^20',
      'cdk8s-cli': '^2.207.0',
      'cdktf-cli': CDKTF,
    },
  },
});
new JsonFile(project, 'examples/quick-start/tsconfig.json', {
  obj: {
    // For `npm run typecheck` and editors (tsx ignores types). module/moduleResolution nodenext: what TypeScript 5.9,
    // 6 and 7 all accept for a CommonJS program (the package has no "type": "module").
    compilerOptions: {
      target: 'ES2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
    },
    include: ['main.ts'],
  },
});
new JsonFile(project, 'examples/quick-start/cdktf.json', {
  obj: { language: 'typescript', app: QUICK_START_RUN, output: 'cdktf.out', terraformProviders: [], terraformModules: [], sendCrashReports: 'false' },
});
new YamlFile(project, 'examples/quick-start/cdk8s.yaml', {
  obj: { language: 'typescript', app: QUICK_START_RUN, output: 'dist' },
});
new IgnoreFile(project, 'examples/quick-start/.gitignore').exclude('node_modules/', 'dist/', 'cdktf.out/');
// The same program in Python (README "Quick start in Python"), with the jsii-built package (`npm run package:python`).
new JsonFile(project, 'examples/quick-start-python/cdktf.json', {
  obj: { language: 'python', app: 'python3 main.py', output: 'cdktf.out', terraformProviders: [], terraformModules: [], sendCrashReports: 'false' },
});
new YamlFile(project, 'examples/quick-start-python/cdk8s.yaml', {
  obj: { language: 'python', app: 'python3 main.py', output: 'dist' },
});
new TextFile(project, 'examples/quick-start-python/requirements.txt', {
  lines: [
    '# ~~ Generated by projen. To modify, edit .projenrc.ts and run "npx projen".',
    '# cdk8s-vault-pki itself: `pip install <the wheel>` (a clone\'s `npm run package:python` writes dist-jsii/python/*.whl).',
    `cdk8s==${CDK8S}`,
    `cdk8s-plus-28==${CDK8S_PLUS}`,
    `constructs==${CONSTRUCTS}`,
    `cdktf==${CDKTF}`,
    `cdktf-cdktf-provider-vault==${PROVIDER_VAULT}`,
    `cdktf-cdktf-provider-kubernetes==${PROVIDER_KUBERNETES}`,
  ],
});
new IgnoreFile(project, 'examples/quick-start-python/.gitignore').exclude('.venv/', 'dist/', 'cdktf.out/', '__pycache__/');
// Inside this repository the examples import the library by its package name too: type-checking maps it to src/,
// synth:examples resolves it there at run time (scripts/resolve-package.ts).
project.eslint?.addOverride({
  files: ['examples/**/*.ts'],
  rules: { 'import/no-unresolved': ['error', { ignore: ['^cdk8s-vault-pki$'] }] },
});

// The command line (`npx cdk8s-vault-pki check .`): bin/ requires the compiled lib/consistency/cli.js.
project.addBins({ 'cdk8s-vault-pki': 'bin/cdk8s-vault-pki' });

// Every example under examples/<name>/main.ts, synthesized into examples.out/<name>/ (dist/ and cdktf.out/ there). The
// examples share one transpile of src/ (scripts/ts-register.js caches each file's JavaScript by its content).
project.addTask('synth:examples', {
  description: 'Synthesize every example into examples.out/<example>/',
  exec: 'node -r ./scripts/ts-register.js scripts/synth-examples.ts',
  receiveArgs: true,
});

// The install a consumer does: pack the compiled library, install the tarball into a copy of examples/quick-start,
// run the quick start and check its outputs (needs the npm registry for the peer dependencies).
project.addTask('test:consumer', {
  description: 'Pack the library, install it into a fresh consumer project (examples/quick-start) and run the quick start there',
  steps: [
    { spawn: 'compile' },
    { exec: 'ts-node --transpile-only -P scripts/tsconfig.json scripts/test-consumer.ts', receiveArgs: true },
  ],
});

// CDK Terrain (cdktn), cdktf's community successor: the quick start's Terraform under cdktf and under cdktn (npm alias
// and overrides: cdktf -> cdktn, so the library and the @cdktf/provider-* classes run on cdktn), compared file by file.
project.addTask('check:cdktn', {
  description: 'Synthesize the quick start under cdktf and under cdktn (CDK Terrain) and compare the Terraform byte for byte',
  steps: [
    { spawn: 'compile' },
    { exec: 'ts-node --transpile-only -P scripts/tsconfig.json scripts/check-cdktn.ts', receiveArgs: true },
  ],
});

// Other languages. jsii-pacmak's own build needs each language's registry (PyPI for setuptools/build/twine, Maven
// Central, the Go module proxy), which this machine does not reach: scripts/package-language.ts generates every
// binding with jsii-pacmak and builds what the local toolchains can (the Python wheel), saying what it could not.
for (const language of ['python', 'go', 'java']) {
  project.tasks.tryFind(`package:${language}`)?.reset(
    `ts-node --transpile-only -P scripts/tsconfig.json scripts/package-language.ts ${language}`, { receiveArgs: true });
}
project.addTask('test:python', {
  description: 'Check the Python quick start against the generated Python package and run it where its dependencies install',
  exec: 'ts-node --transpile-only -P scripts/tsconfig.json scripts/test-python.ts',
  receiveArgs: true,
});

// Synthesize the reference scenario: Kubernetes YAML into dist/, Terraform JSON into cdktf.out/.
project.addTask('synth', {
  description: 'Synthesize the reference scenario (examples/reference) into dist/ and cdktf.out/',
  exec: 'cdk8s synth --no-check-upgrade',
});

// Strict validation of every synthesized object against the vendored upstream CRD schemas:
// `npm run validate:schemas [-- <manifest dir>...]` (default dist/; run by .ci/run after the synth).
project.addTask('validate:schemas', {
  description: 'Validate every object in dist/ (or the given directories) strictly against the CRD schemas in upstream/crds',
  exec: 'ts-node --transpile-only -P scripts/tsconfig.json scripts/validate-schemas.ts',
  receiveArgs: true,
});

// Every synthesized cdk.tf.json against the provider schemas and validators in upstream/tf-providers (an offline
// `terraform validate`, plus the real one where terraform and the providers are installed).
project.addTask('validate:terraform', {
  description: 'Check every cdk.tf.json under cdktf.out (or the given paths) against the Vault and Kubernetes provider schemas',
  exec: 'ts-node --transpile-only -P scripts/tsconfig.json scripts/validate-terraform.ts',
  receiveArgs: true,
});

// ConsistencyCheck over every synthesized program (each example, the fleet's programs together, the root program).
project.addTask('check:consistency', {
  description: 'Run ConsistencyCheck over the synthesized outputs under examples.out (or the given program folders)',
  exec: 'ts-node --transpile-only -P scripts/tsconfig.json scripts/check-consistency.ts',
  receiveArgs: true,
});

// `cdk8s-vault-pki audit` over the synthesized examples: the library's own output must audit without an error.
project.addTask('audit:examples', {
  description: 'Audit the synthesized examples (default examples.out) with `cdk8s-vault-pki audit`; SARIF to test-reports/audit.sarif',
  exec: 'ts-node --transpile-only -P scripts/tsconfig.json scripts/audit-examples.ts',
  receiveArgs: true,
});

project.addTask('check:upstream', {
  description: 'Prove the vendored upstream schemas are intact and identical to ../shared (when it exists)',
  exec: 'ts-node --transpile-only -P scripts/tsconfig.json scripts/check-upstream.ts',
  receiveArgs: true,
});

// The alerts, proven with Prometheus's own rule checker and unit tester (`promtool check rules`,
// `promtool test rules`) against synthetic cert-manager and x509-certificate-exporter series.
// Needs promtool (Debian package `prometheus`); .ci/run installs it.
project.addTask('test:alerts', {
  description: 'Check and unit-test the synthesized PrometheusRule with promtool',
  exec: 'ts-node --transpile-only -P scripts/tsconfig.json scripts/test-alerts.ts',
  receiveArgs: true,
});

// Every test with the coverage report (coverage/), which `npm test` leaves out for speed.
project.addTask('test:coverage', {
  description: 'Run every test with the coverage report (coverage/)',
  exec: 'jest --passWithNoTests --ci --coverage',
  receiveArgs: true,
});

// After jsii: lib/index.js requires each module on first use of one of its exports (scripts/lazy-index.ts), so a program
// loads what it uses (the fleet synth never loads ConsistencyCheck, the audit, the mesh, nor cdk8s-plus-28).
project.compileTask.exec('ts-node --transpile-only -P scripts/tsconfig.json scripts/lazy-index.ts lib');

// Synth cost at scale against raw cdk8s/cdktf and the serialization floor, on the compiled library (what users run).
project.addTask('bench', {
  description: 'Benchmark synth wall time, CPU time and peak RSS of fleets against a raw cdk8s/cdktf baseline and the serialization floor',
  steps: [
    { spawn: 'compile' },
    { exec: 'tsc --noEmit -p bench/tsconfig.json' },
    { exec: 'ts-node --transpile-only -P bench/tsconfig.json bench/bench.ts', receiveArgs: true },
  ],
});

project.synth();
