// check-cdktn [--keep]: does the Vault half synthesize the same Terraform under CDK Terrain (cdktn, cdktf's community
// successor) as under cdktf 0.21? Two proofs, each comparing every file of cdktf.out/ byte for byte:
//   1. a consumer's switch: examples/quick-start copied twice beside the packed library; one as it is (cdktf 0.21), one
//      with the package.json change the cdktn migration guide describes for prebuilt @cdktf/provider-* packages
//      (dependencies.cdktf = npm:cdktn@CDKTN and `overrides` so the library and the providers resolve cdktn too;
//      constructs within cdktn's peer range; cdktn-cli for cdktf-cli). Both run `npm run synth`; the cdktn copy also runs
//      `cdktn synth` with its unchanged cdktf.json (cdktn-cli needs Node >= 22.19: on Node 20 the crash is shown, then
//      the CLI runs on Node 22 from the npm package node@22).
//   2. every example program of this repository (examples/**/main.ts: reference, fleet, rotation phases, mesh), run
//      from the sources once as it is and once with `cdktf` and `constructs` resolved to that cdktn install.
// A file is IDENTICAL (same bytes), EQUIVALENT (the same JSON: same keys in the same order and the same values, once the
// cdktf/cdktn version recorded in the metadata is set aside) or DIFFERENT. Exit status 0 when no file is DIFFERENT.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const CDKTN = '0.24.0';
/** cdktn 0.24's peer dependency is constructs >=10.6.0 <10.8.0. */
const CONSTRUCTS_FOR_CDKTN = '10.6.0';
const ROOT = path.join(__dirname, '..');
const ENV = { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', CHECKPOINT_DISABLE: '1', CI: 'true' };

type Verdict = 'IDENTICAL' | 'EQUIVALENT' | 'DIFFERENT';

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = ENV): void {
  console.log(`== ${path.relative(ROOT, cwd).startsWith('..') ? path.basename(cwd) : path.relative(ROOT, cwd) || '.'}$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}) in ${cwd}`);
}

function copyTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'cdktf.out', 'package-lock.json'].includes(entry.name)) continue;
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) copyTree(source, path.join(to, entry.name));
    else fs.copyFileSync(source, path.join(to, entry.name));
  }
}

function listFiles(dir: string, base = dir): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

/** The JSON with the synthesizer's own version (manifest.json's `version`, a stack's `//.metadata.version`) set aside. */
function withoutVersion(json: any): any {
  if (json && typeof json === 'object') {
    if (typeof json.version === 'string' && json.stacks) delete json.version;
    if (json['//']?.metadata) delete json['//'].metadata.version;
  }
  return json;
}

/** Compares two cdktf.out trees file by file; prints one line per file and what differs. */
function compareTrees(what: string, cdktf: string, cdktn: string): Verdict[] {
  const names = [...new Set([...listFiles(cdktf), ...listFiles(cdktn)])].sort();
  if (names.length === 0) return [];
  return names.map((name) => {
    const a = path.join(cdktf, name);
    const b = path.join(cdktn, name);
    let verdict: Verdict;
    let detail = '';
    if (!fs.existsSync(a) || !fs.existsSync(b)) {
      verdict = 'DIFFERENT';
      detail = `only under ${fs.existsSync(a) ? 'cdktf' : 'cdktn'}`;
    } else {
      const bytesA = fs.readFileSync(a);
      const bytesB = fs.readFileSync(b);
      if (bytesA.equals(bytesB)) {
        verdict = 'IDENTICAL';
      } else if (name.endsWith('.json')) {
        const jsonA = JSON.parse(bytesA.toString('utf8'));
        const jsonB = JSON.parse(bytesB.toString('utf8'));
        const versionA = jsonA.version ?? jsonA['//']?.metadata?.version;
        const versionB = jsonB.version ?? jsonB['//']?.metadata?.version;
        const versions = `${versionA} -> ${versionB}`;
        const same = JSON.stringify(withoutVersion(jsonA), null, 2) === JSON.stringify(withoutVersion(jsonB), null, 2);
        verdict = same ? 'EQUIVALENT' : 'DIFFERENT';
        const lines = (s: Buffer) => s.toString('utf8').split('\n').length;
        // Are the version and the layout of empty lists and objects the only byte differences?
        const layout = (text: string, version: unknown) => text.replace(/\[\s*\]/g, '[]').replace(/\{\s*\}/g, '{}')
          .split(`"version": "${version}"`).join('"version": "?"');
        const onlyThose = layout(bytesA.toString('utf8'), versionA) === layout(bytesB.toString('utf8'), versionB);
        detail = !same ? `version ${versions}; the JSON differs` : `bytes differ (${bytesA.length} vs ${bytesB.length} bytes, `
          + `${lines(bytesA)} vs ${lines(bytesB)} lines): ${onlyThose ? `only the version (${versions}) and empty lists/objects, written `
          + 'across two lines by cdktf and as [] / {} by cdktn' : `the version (${versions}) and other whitespace`}`;
      } else {
        verdict = 'DIFFERENT';
      }
    }
    console.log(`   ${verdict.padEnd(10)} ${what}/${name}${detail ? `: ${detail}` : ''}`);
    return verdict;
  });
}

/** Every directory under examples/ holding a main.ts, relative to examples/ (as synth-examples runs them). */
function examplePrograms(dir = path.join(ROOT, 'examples')): string[] {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  const here = entries.some((e) => e.isFile() && e.name === 'main.ts') ? [path.relative(path.join(ROOT, 'examples'), dir)] : [];
  return [...here, ...entries.filter((e) => e.isDirectory() && e.name !== 'node_modules').flatMap((e) => examplePrograms(path.join(dir, e.name)))];
}

function main(argv: string[]): number {
  const keep = argv.includes('--keep');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-pki-cdktn-'));
  const verdicts: Verdict[] = [];
  try {
    if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) throw new Error('lib/ is missing: run `npx projen compile` first');
    run('npm', ['pack', '--pack-destination', dir, '--loglevel=warn'], ROOT);
    const tarball = fs.readdirSync(dir).find((f) => f.endsWith('.tgz'))!;

    // 1. The consumer's switch.
    const withCdktf = path.join(dir, 'quick-start-cdktf');
    const withCdktn = path.join(dir, 'quick-start-cdktn');
    copyTree(path.join(ROOT, 'examples', 'quick-start'), withCdktf);
    copyTree(path.join(ROOT, 'examples', 'quick-start'), withCdktn);
    const manifestFile = path.join(withCdktn, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    pkg.dependencies.cdktf = `npm:cdktn@${CDKTN}`;
    pkg.dependencies.constructs = CONSTRUCTS_FOR_CDKTN;
    pkg.overrides = { cdktf: `npm:cdktn@${CDKTN}` };
    // Only the program's runner and the CLI matter here (test:consumer installs and runs the other tools).
    pkg.devDependencies = { 'tsx': pkg.devDependencies.tsx, 'cdktn-cli': CDKTN };
    pkg.scripts['synth:cdktf'] = 'cdktn synth';
    fs.writeFileSync(manifestFile, `${JSON.stringify(pkg, null, 2)}\n`);
    const plain = JSON.parse(fs.readFileSync(path.join(withCdktf, 'package.json'), 'utf8'));
    plain.devDependencies = { tsx: plain.devDependencies.tsx };
    fs.writeFileSync(path.join(withCdktf, 'package.json'), `${JSON.stringify(plain, null, 2)}\n`);
    console.log(`== the cdktn copy's package.json: cdktf -> npm:cdktn@${CDKTN} (dependencies and overrides), constructs ${CONSTRUCTS_FOR_CDKTN}, cdktn-cli ${CDKTN}`);
    for (const app of [withCdktf, withCdktn]) {
      run('npm', ['install', '--loglevel=error', `../${tarball}`], app);
      run('npm', ['run', 'synth'], app);
    }
    run('npm', ['ls', 'cdktf', 'constructs'], withCdktn);
    const resolved = JSON.parse(fs.readFileSync(path.join(withCdktn, 'node_modules', 'cdktf', 'package.json'), 'utf8'));
    if (resolved.name !== 'cdktn') throw new Error(`the cdktn copy resolves cdktf to ${resolved.name}@${resolved.version}, not cdktn`);
    console.log('== the Terraform of the quick start, cdktf 0.21 (npm run synth) vs cdktn (npm run synth):');
    verdicts.push(...compareTrees('quick-start/cdktf.out', path.join(withCdktf, 'cdktf.out'), path.join(withCdktn, 'cdktf.out')));
    console.log('== the Kubernetes manifests (cdk8s under both):');
    verdicts.push(...compareTrees('quick-start/dist', path.join(withCdktf, 'dist'), path.join(withCdktn, 'dist')));
    // The cdktn CLI with the unchanged cdktf.json. cdktn-cli 0.24.0 declares engines node >=22.19.0 and crashes on Node
    // 20 (its bundled HTTP client calls util.markAsUncloneable): shown here, then run on Node 22 from the npm registry's
    // `node` package (a Node binary in an npm package).
    const programOut = path.join(dir, 'quick-start-cdktn-program');
    fs.renameSync(path.join(withCdktn, 'cdktf.out'), programOut);
    const cliEnv = (bin?: string) => ({ ...ENV, PATH: [bin, path.join(withCdktn, 'node_modules', '.bin'), process.env.PATH].filter(Boolean).join(path.delimiter) });
    const nodeMajor = Number(process.versions.node.split('.')[0]);
    if (nodeMajor < 22) {
      console.log(`== quick-start-cdktn$ cdktn synth   (on this Node, ${process.version})`);
      const onThisNode = spawnSync('cdktn', ['synth'], { cwd: withCdktn, encoding: 'utf8', env: cliEnv() });
      const crash = `${onThisNode.stdout}\n${onThisNode.stderr}`.split('\n').find((l) => /Error/.test(l) && !/\[ERROR\]/.test(l))?.trim();
      console.log(`   exit ${onThisNode.status}${crash ? `: ${crash}` : ''}`);
      const node22 = path.join(dir, 'node22');
      run('npm', ['install', '--loglevel=error', '--prefix', node22, 'node@22'], dir);
      console.log('== quick-start-cdktn$ cdktn synth   (on Node 22 from the npm package node@22)');
      run('cdktn', ['synth'], withCdktn, cliEnv(path.join(node22, 'node_modules', '.bin')));
    } else {
      run('cdktn', ['synth'], withCdktn, cliEnv());
    }
    console.log('== the cdktn CLI (`cdktn synth` with the unchanged cdktf.json) vs the program run by npm run synth under cdktn:');
    verdicts.push(...compareTrees('quick-start/cdktf.out', programOut, path.join(withCdktn, 'cdktf.out')));

    // 2. Every example program of this repository, from the sources, under cdktf and under cdktn.
    const modules = path.join(withCdktn, 'node_modules');
    for (const example of examplePrograms().filter((e) => e !== 'quick-start')) {
      const outs = { cdktf: path.join(dir, 'examples', 'cdktf', example), cdktn: path.join(dir, 'examples', 'cdktn', example) };
      for (const [variant, out] of Object.entries(outs)) {
        fs.mkdirSync(out, { recursive: true });
        const preload = ['-r', require.resolve('ts-node/register/transpile-only'), '-r', path.join(__dirname, 'resolve-package.ts'),
          ...(variant === 'cdktn' ? ['-r', path.join(__dirname, 'resolve-cdktn.ts')] : [])];
        run(process.execPath, [...preload, path.join(ROOT, 'examples', example, 'main.ts')], out,
          { ...ENV, TS_NODE_PROJECT: path.join(ROOT, 'examples', 'tsconfig.json'), CDKTN_NODE_MODULES: modules });
      }
      verdicts.push(...compareTrees(`examples/${example}/cdktf.out`, path.join(outs.cdktf, 'cdktf.out'), path.join(outs.cdktn, 'cdktf.out')));
    }
  } catch (e) {
    console.error(`check:cdktn: ${(e as Error).message}`);
    return 1;
  } finally {
    if (keep) console.log(`check:cdktn: kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  const count = (v: Verdict) => verdicts.filter((x) => x === v).length;
  console.log(`== check:cdktn (cdktn ${CDKTN} vs cdktf 0.21.0): ${verdicts.length} file(s): ${count('IDENTICAL')} byte-identical, `
    + `${count('EQUIVALENT')} the same JSON with other bytes (the version in the metadata, the whitespace of empty arrays), ${count('DIFFERENT')} different`);
  console.log(count('DIFFERENT') === 0
    ? 'check:cdktn: the Vault half runs under cdktn and its Terraform is the same configuration; not byte-identical (see above)'
    : 'check:cdktn: FAILED: the Terraform differs under cdktn');
  return count('DIFFERENT') === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
