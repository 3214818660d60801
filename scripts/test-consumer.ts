// test-consumer [--keep]: what a new user does, following the README's Install and Quick start literally. Packs the
// compiled library (npm pack), copies examples/quick-start as it is into a fresh folder beside the tarball, and there:
//   npm install ../cdk8s-vault-pki-0.0.0.tgz && npm install && npm run synth
// with the toolchain npm installs by default today; then the CLIs the project lists (`npm run synth:cdk8s`,
// `npm run synth:cdktf`) and `npm run typecheck`, which must write the same files; then `npx cdk8s-vault-pki check .`
// (clean, JSON, a stale stack folder, a broken reference). The outputs are checked with the installed package's own
// ConsistencyCheck, the strict CRD validation and the provider schema check; the package root exports PkiValidationError.
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatReport, parseYamlDocuments, SchemaRegistry, validateManifests } from './strict-schema';
import { TerraformSchemaChecker } from './terraform-schema';
import { loadSchemas } from './validate-terraform';

const ROOT = path.join(__dirname, '..');
const QUICK_START = path.join(ROOT, 'examples', 'quick-start');
/** What a consumer's runs leave in the folder, never part of the copy. */
const NOT_COPIED = new Set(['node_modules', 'dist', 'cdktf.out', 'package-lock.json']);
const ENV = { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', CHECKPOINT_DISABLE: '1', CI: 'true' };

function run(command: string, args: string[], cwd: string): void {
  console.log(`== ${path.basename(cwd)}$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: ENV });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}) in ${cwd}`);
}

function capture(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  console.log(`== ${path.basename(cwd)}$ ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: ENV });
}

function copyTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (NOT_COPIED.has(entry.name)) continue;
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) {
      copyTree(source, path.join(to, entry.name));
    } else {
      fs.copyFileSync(source, path.join(to, entry.name));
      // As a git checkout leaves it (projen marks its generated files read-only in this working tree).
      fs.chmodSync(path.join(to, entry.name), 0o644);
    }
  }
}

/** Every file under `dir`, relative, with its bytes. */
function snapshot(dir: string, base = dir): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) for (const [k, v] of snapshot(full, base)) files.set(k, v);
    else files.set(path.relative(base, full), fs.readFileSync(full));
  }
  return files;
}

function sameFiles(what: string, expected: Map<string, Buffer>, actual: Map<string, Buffer>): number {
  const names = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  const differing = names.filter((n) => !expected.get(n) || !actual.get(n) || !expected.get(n)!.equals(actual.get(n)!));
  console.log(`== ${what}: ${differing.length === 0 ? `the same ${names.length} file(s)` : `DIFFERENT: ${differing.join(', ')}`}`);
  return differing.length;
}

function main(argv: string[]): number {
  const keep = argv.includes('--keep');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-pki-consumer-'));
  const failures: string[] = [];
  const expect = (ok: boolean, what: string) => {
    console.log(`${ok ? 'ok' : '!!'} ${what}`);
    if (!ok) failures.push(what);
  };
  try {
    if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) throw new Error('lib/ is missing: run `npx projen compile` first');
    run('npm', ['pack', '--pack-destination', dir, '--loglevel=warn'], ROOT);
    const tarball = fs.readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');

    // The README's Install and Quick start, in that order, in a copy of the folder as it is.
    const app = path.join(dir, 'quick-start');
    copyTree(QUICK_START, app);
    run('npm', ['install', '--loglevel=error', `../${tarball}`], app);
    run('npm', ['install', '--loglevel=error'], app);
    run('npm', ['run', 'synth'], app);
    const manifests = path.join(app, 'dist');
    const stack = path.join(app, 'cdktf.out', 'stacks', 'vault', 'cdk.tf.json');
    expect(fs.existsSync(path.join(manifests, 'pki.k8s.yaml')) && fs.existsSync(stack), '`npm run synth` wrote dist/pki.k8s.yaml and cdktf.out/stacks/vault/cdk.tf.json');
    const k8sOut = snapshot(manifests);
    const tfOut = snapshot(path.join(app, 'cdktf.out'));

    // The CLIs the project lists, with its cdk8s.yaml and cdktf.json, and the type check with the TypeScript it lists.
    fs.rmSync(manifests, { recursive: true });
    fs.rmSync(path.join(app, 'cdktf.out'), { recursive: true });
    run('npm', ['run', 'synth:cdk8s'], app);
    failures.push(...Array(sameFiles('`npm run synth:cdk8s` (cdk8s synth) wrote what `npm run synth` wrote to dist/', k8sOut, snapshot(manifests))).fill('cdk8s synth'));
    fs.rmSync(path.join(app, 'cdktf.out'), { recursive: true });
    run('npm', ['run', 'synth:cdktf'], app);
    failures.push(...Array(sameFiles('`npm run synth:cdktf` (cdktf synth) wrote what `npm run synth` wrote to cdktf.out/', tfOut, snapshot(path.join(app, 'cdktf.out')))).fill('cdktf synth'));
    run('npm', ['run', 'typecheck'], app);

    // The command line, as a pipeline runs it.
    const clean = capture('npx', ['cdk8s-vault-pki', 'check', '.'], app);
    process.stdout.write(clean.stdout + clean.stderr);
    expect(clean.status === 0, '`npx cdk8s-vault-pki check .` exits 0 on the quick start');
    const json = capture('npx', ['cdk8s-vault-pki', 'check', '.', '--format', 'json'], app);
    const parsed = json.status === 0 ? JSON.parse(json.stdout) : undefined;
    expect(Array.isArray(parsed?.findings) && parsed.findings.length === 0 && parsed.outputs.length === 1, '`--format json` prints {"findings": [], "outputs": [one]}');
    const stale = path.join(app, 'cdktf.out', 'stacks', 'vault-before-rename');
    fs.cpSync(path.dirname(stack), stale, { recursive: true });
    const withStale = capture('npx', ['cdk8s-vault-pki', 'check', '.'], app);
    expect(withStale.status === 0, 'a stack folder manifest.json does not list (left by an earlier synth) is not read');
    fs.rmSync(stale, { recursive: true });
    const yaml = path.join(manifests, 'pki.k8s.yaml');
    const original = fs.readFileSync(yaml, 'utf8');
    fs.writeFileSync(yaml, original.replace('path: pki-int-services/sign/', 'path: pki-int-mtls/sign/'));
    const broken = capture('npx', ['cdk8s-vault-pki', 'check', '.', '--format', 'json'], app);
    const brokenFindings = broken.stdout ? JSON.parse(broken.stdout).findings : [];
    expect(broken.status === 1 && brokenFindings.some((f: any) => f.rule === 'issuer-path'), 'an Issuer path that names another mount: exit 1 with an issuer-path finding');
    fs.writeFileSync(yaml, original);
    const usage = capture('npx', ['cdk8s-vault-pki', 'check', 'no-such-folder'], app);
    expect(usage.status === 2 && /does not exist/.test(usage.stderr), 'a path that does not exist: exit 2');

    // The consumer's own copy of the library checks its own outputs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const installed = require(path.join(app, 'node_modules', 'cdk8s-vault-pki'));
    const findings = installed.ConsistencyCheck.checkOutputs(manifests, path.join(app, 'cdktf.out'));
    for (const f of findings) console.log(`   ${f.kind} ${f.object}: ${f.message}`);
    expect(findings.length === 0, `ConsistencyCheck (the installed package): ${findings.length} finding(s)`);

    const crds = path.join(ROOT, 'upstream', 'crds');
    const registry = SchemaRegistry.fromDocuments(fs.readdirSync(crds).filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => parseYamlDocuments(fs.readFileSync(path.join(crds, f), 'utf8')).map((d) => d.value)));
    const report = validateManifests(registry, fs.readdirSync(manifests).map((f) => ({
      file: path.join('dist', f), documents: parseYamlDocuments(fs.readFileSync(path.join(manifests, f), 'utf8')),
    })));
    console.log(formatReport(report).join('\n'));
    expect(report.findings.length === 0, `strict CRD validation of dist/: ${report.findings.length} finding(s)`);

    const terraform = new TerraformSchemaChecker(loadSchemas(path.join(ROOT, 'upstream', 'tf-providers'))).check(JSON.parse(fs.readFileSync(stack, 'utf8')));
    for (const f of terraform) console.log(`   ${f.address} .${f.path}: ${f.problem}`);
    expect(terraform.length === 0, `provider schema check of cdktf.out/stacks/vault/cdk.tf.json: ${terraform.length} finding(s)`);

    // The error class, from the package root: what a program catches.
    const error = capture(process.execPath, ['-e', [
      "const { PkiValidationError, VaultPkiStack, VaultServerCa } = require('cdk8s-vault-pki');",
      "const { App } = require('cdktf');",
      "try { new VaultPkiStack(new App(), 'vault', { address: 'vault.internal', serverCa: VaultServerCa.systemTrust() }); process.exit(3); }",
      'catch (e) { console.log(e.message); process.exit(e instanceof PkiValidationError ? 0 : 4); }',
    ].join('\n')], app);
    process.stdout.write(error.stdout + error.stderr);
    expect(error.status === 0, "require('cdk8s-vault-pki').PkiValidationError is what a construct throws for input out of policy");
  } catch (e) {
    failures.push((e as Error).message);
    console.error(`test:consumer: ${(e as Error).message}`);
  } finally {
    if (keep) console.log(`test:consumer: kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(failures.length === 0
    ? 'test:consumer: OK: the quick start, copied as it is, installed from the packed tarball, synthesized with npm run synth, cdk8s synth and cdktf synth, type-checked, and its outputs check clean'
    : `test:consumer: FAILED: ${failures.join('; ')}`);
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
