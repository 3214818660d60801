// test-consumer [--keep]: what a consumer does, on this machine. Packs the compiled library (npm pack), copies
// examples/quick-start (the README's quick start and its package.json, tsconfig.json, cdktf.json) into a fresh
// directory, points its `cdk8s-vault-pki` import at the package, installs the tarball with its peers from the npm
// registry, runs `npx ts-node main.ts` there, and checks the outputs with the installed package's own
// ConsistencyCheck, the strict CRD validation and the provider schema check.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatReport, parseYamlDocuments, SchemaRegistry, validateManifests } from './strict-schema';
import { TerraformSchemaChecker } from './terraform-schema';
import { loadSchemas } from './validate-terraform';

const ROOT = path.join(__dirname, '..');
const QUICK_START = path.join(ROOT, 'examples', 'quick-start');

function run(command: string, args: string[], cwd: string): void {
  console.log(`== ${path.relative(ROOT, cwd) || '.'}$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}) in ${cwd}`);
}

function main(argv: string[]): number {
  const keep = argv.includes('--keep');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-pki-consumer-'));
  try {
    if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) throw new Error('lib/ is missing: run `npx projen compile` first');
    run('npm', ['pack', '--pack-destination', dir], ROOT);
    const app = path.join(dir, 'quick-start');
    fs.mkdirSync(app);
    for (const file of ['package.json', 'tsconfig.json', 'cdktf.json', 'vault-ca.pem']) fs.copyFileSync(path.join(QUICK_START, file), path.join(app, file));
    const program = fs.readFileSync(path.join(QUICK_START, 'main.ts'), 'utf8').replace("from '../../src';", "from 'cdk8s-vault-pki';");
    if (!program.includes("from 'cdk8s-vault-pki';")) throw new Error('examples/quick-start/main.ts no longer imports the library from ../../src');
    fs.writeFileSync(path.join(app, 'main.ts'), program);

    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], app);
    run('npx', ['ts-node', 'main.ts'], app);

    const manifests = path.join(app, 'dist');
    const stack = path.join(app, 'cdktf.out', 'stacks', 'vault', 'cdk.tf.json');
    // The consumer's own copy of the library checks its own outputs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const installed = require(path.join(app, 'node_modules', 'cdk8s-vault-pki'));
    const findings = installed.ConsistencyCheck.checkOutputs(manifests, stack);
    console.log(`== ConsistencyCheck (the installed package): ${findings.length} finding(s)`);
    for (const f of findings) console.log(`   ${f.kind} ${f.object}: ${f.message}`);

    const crds = path.join(ROOT, 'upstream', 'crds');
    const registry = SchemaRegistry.fromDocuments(fs.readdirSync(crds).filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => parseYamlDocuments(fs.readFileSync(path.join(crds, f), 'utf8')).map((d) => d.value)));
    const report = validateManifests(registry, fs.readdirSync(manifests).map((f) => ({
      file: path.join('dist', f), documents: parseYamlDocuments(fs.readFileSync(path.join(manifests, f), 'utf8')),
    })));
    console.log(formatReport(report).join('\n'));

    const terraform = new TerraformSchemaChecker(loadSchemas(path.join(ROOT, 'upstream', 'tf-providers'))).check(JSON.parse(fs.readFileSync(stack, 'utf8')));
    console.log(`== provider schema check of cdktf.out/stacks/vault/cdk.tf.json: ${terraform.length} finding(s)`);
    for (const f of terraform) console.log(`   ${f.address} .${f.path}: ${f.problem}`);

    // The README's documented deep import of the error class resolves in the installed package.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const errors = require(path.join(app, 'node_modules', 'cdk8s-vault-pki', 'lib', 'core', 'errors'));
    const deepImport = typeof errors.PkiValidationError === 'function' ? 0 : 1;
    console.log(`== cdk8s-vault-pki/lib/core/errors exports PkiValidationError: ${deepImport === 0 ? 'yes' : 'NO'}`);

    const failed = findings.length + report.findings.length + terraform.length + deepImport;
    console.log(failed === 0 ? 'test:consumer: OK: installed from the packed tarball, the quick start ran and its outputs check clean'
      : `test:consumer: FAILED with ${failed} finding(s)`);
    return failed === 0 ? 0 : 1;
  } catch (e) {
    console.error(`test:consumer: ${(e as Error).message}`);
    return 1;
  } finally {
    if (keep) console.log(`test:consumer: kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = main(process.argv.slice(2));
