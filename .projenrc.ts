import { cdk8s, javascript, JsonFile } from 'projen';
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
    // `npm test` (and CI) must not rewrite files: lint reports, `npx eslint --fix` fixes.
    commandOptions: { fix: false },
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
project.npmignore?.exclude('/examples/', '/examples.out/', '/bench/', '/scripts/', '/cdktf.out/', '/.ci/', '/cdk8s.yaml', '/cdktf.json',
  '/upstream/', '/scratch/', '/test-reports/');
project.gitignore.exclude('/examples.out/', '/cdk8s-vault-pki-*.tgz');

// Programs outside src/ (examples, benchmark, scripts) type-check against the library's settings;
// eslint's project service finds these.
for (const dir of ['examples', 'bench', 'scripts']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: {
      extends: '../tsconfig.json',
      compilerOptions: { rootDir: '..', noEmit: true, isolatedModules: true },
      include: ['**/*.ts'],
    },
  });
}

// `cdktf synth` of the reference scenario (the same program as `cdk8s synth`: it writes both outputs).
new JsonFile(project, 'cdktf.json', {
  obj: {
    language: 'typescript',
    app: 'npx ts-node --transpile-only -P examples/tsconfig.json examples/reference/main.ts',
    output: 'cdktf.out',
    terraformProviders: [],
    terraformModules: [],
    sendCrashReports: 'false',
  },
});

// A consumer's project, as the README's install section sets it up: examples/quick-start holds the quick start
// (main.ts) and these files; `npm run test:consumer` packs the library, installs it there from the tarball and runs it.
new JsonFile(project, 'examples/quick-start/package.json', {
  obj: {
    name: 'cdk8s-vault-pki-quick-start',
    private: true,
    description: 'The README quick start as a consumer project (installs cdk8s-vault-pki from a packed tarball)',
    scripts: { synth: 'ts-node main.ts' },
    dependencies: {
      'cdk8s-vault-pki': 'file:../cdk8s-vault-pki-0.0.0.tgz',
      'cdk8s': CDK8S,
      'cdk8s-plus-28': CDK8S_PLUS,
      'constructs': CONSTRUCTS,
      'cdktf': CDKTF,
      '@cdktf/provider-vault': PROVIDER_VAULT,
      '@cdktf/provider-kubernetes': PROVIDER_KUBERNETES,
    },
    devDependencies: { 'ts-node': '^10.9.2', 'typescript': TYPESCRIPT, '@types/node': '^20' },
  },
});
new JsonFile(project, 'examples/quick-start/tsconfig.json', {
  obj: {
    // What ts-node needs to run the quick start: CommonJS output and Node module resolution. Without a tsconfig,
    // ts-node under TypeScript 5.9 picks module NodeNext with a resolution it rejects (TS5109).
    compilerOptions: {
      target: 'ES2022',
      module: 'commonjs',
      moduleResolution: 'node',
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ['node'],
    },
    include: ['main.ts'],
  },
});
new JsonFile(project, 'examples/quick-start/cdktf.json', {
  obj: { language: 'typescript', app: 'npx ts-node main.ts', output: 'cdktf.out', terraformProviders: [], terraformModules: [], sendCrashReports: 'false' },
});

// Every example under examples/<name>/main.ts, synthesized into examples.out/<name>/ (dist/ and cdktf.out/ there).
project.addTask('synth:examples', {
  description: 'Synthesize every example into examples.out/<example>/',
  exec: 'ts-node --transpile-only -P scripts/tsconfig.json scripts/synth-examples.ts',
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

// Synth cost at scale against raw cdk8s/cdktf, on the compiled library (what users run).
project.addTask('bench', {
  description: 'Benchmark synth time, peak RSS and output size for N tenants against a raw cdk8s/cdktf baseline',
  steps: [
    { spawn: 'compile' },
    { exec: 'ts-node --transpile-only -P bench/tsconfig.json bench/bench.ts', receiveArgs: true },
  ],
});

project.synth();
