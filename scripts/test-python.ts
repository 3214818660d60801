// test-python [--keep]: the README's Python quick start (examples/quick-start-python) against the Python package
// `npm run package:python` built (dist-jsii/python/*.whl):
//   1. a static check: every name it imports from cdk8s_vault_pki exists in the generated module, every call uses
//      parameters its signature has (scripts/check-python-program.py);
//   2. a virtual environment, `pip install <wheel> -r requirements.txt`, then `python main.py` in a copy of the folder,
//      whose Terraform must be the TypeScript quick start's (examples.out/quick-start) and whose outputs must pass
//      `cdk8s-vault-pki check`. The package's dependencies (jsii's Python runtime, constructs, cdk8s, cdktf, the
//      providers) come from PyPI only: where pip cannot reach it, the run is reported NOT RUN with pip's own error.
// Exit status: 1 when the static check fails, or when the dependencies installed and the quick start then failed.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const EXAMPLE = path.join(ROOT, 'examples', 'quick-start-python');

function sh(command: string, args: string[], cwd: string) {
  console.log(`== ${path.basename(cwd)}$ ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' } });
}

function main(argv: string[]): number {
  const wheelDir = path.join(ROOT, 'dist-jsii', 'python');
  const wheel = fs.existsSync(wheelDir) ? fs.readdirSync(wheelDir).find((f) => f.endsWith('.whl')) : undefined;
  if (!wheel) {
    console.error('test:python: no wheel in dist-jsii/python: run `npm run package:python` first');
    return 1;
  }
  const wheelPath = path.join(wheelDir, wheel);
  const check = sh('python3', [path.join(__dirname, 'check-python-program.py'), path.join(EXAMPLE, 'main.py'), wheelPath], ROOT);
  process.stdout.write(check.stdout + check.stderr);
  if (check.status !== 0) return 1;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-pki-python-'));
  try {
    const venv = path.join(dir, '.venv');
    const created = sh('python3', ['-m', 'venv', venv], dir);
    if (created.status !== 0) {
      console.error(created.stdout + created.stderr);
      return 1;
    }
    const python = path.join(venv, 'bin', 'python');
    const install = sh(python, ['-m', 'pip', 'install', '--no-input', '--retries', '0', '--timeout', '15', wheelPath, '-r', path.join(EXAMPLE, 'requirements.txt')], dir);
    if (install.status !== 0) {
      const output = `${install.stdout}\n${install.stderr}`;
      const unreachable = /Failed to establish a new connection|Name or service not known|Temporary failure in name resolution|Network is unreachable|from versions: none/.test(output);
      const error = output.split('\n').filter((l) => /^ERROR:|NewConnectionError/.test(l)).map((l) => `   ${l.trim()}`).slice(0, 3).join('\n');
      console.log(error);
      if (!unreachable) return 1;
      console.log('test:python: the Python quick start was NOT RUN: pip cannot install the package\'s dependencies '
        + '(jsii, constructs, cdk8s, cdk8s-plus-28, cdktf, cdktf-cdktf-provider-vault, cdktf-cdktf-provider-kubernetes), '
        + 'which only PyPI serves, and this machine does not reach PyPI; the wheel was built and the program checked against it');
      return 0;
    }
    const app = path.join(dir, 'quick-start-python');
    fs.cpSync(EXAMPLE, app, { recursive: true });
    const ran = sh(python, ['main.py'], app);
    process.stdout.write(ran.stdout + ran.stderr);
    if (ran.status !== 0) return 1;
    const stack = (d: string) => fs.readFileSync(path.join(d, 'cdktf.out', 'stacks', 'vault', 'cdk.tf.json'));
    const typescript = path.join(ROOT, 'examples.out', 'quick-start');
    if (fs.existsSync(typescript)) {
      const same = stack(app).equals(stack(typescript));
      console.log(`${same ? 'ok' : '!!'} the Python quick start's Terraform is ${same ? '' : 'NOT '}the TypeScript quick start's (examples.out/quick-start)`);
      if (!same) return 1;
    }
    const cli = sh(process.execPath, [path.join(ROOT, 'bin', 'cdk8s-vault-pki'), 'check', app], ROOT);
    process.stdout.write(cli.stdout + cli.stderr);
    console.log(cli.status === 0 ? 'test:python: OK: the Python quick start ran and its outputs check clean' : 'test:python: FAILED');
    return cli.status === 0 ? 0 : 1;
  } finally {
    if (argv.includes('--keep')) console.log(`test:python: kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = main(process.argv.slice(2));
