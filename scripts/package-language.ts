// package-language <python|go|java>: the jsii bindings of one language, built as far as this machine allows.
// jsii-pacmak's own packaging installs its build tools from each language's registry (pip: setuptools, build and twine
// from PyPI; Maven: plugins and the jsii runtime from Maven Central; Go: the module proxy), none of which is reachable
// where this project is built (only the npm registry and Debian's packages are). So this generates the code with
// `jsii-pacmak --code-only` and then:
//   python: builds the wheel with a local Python that has pip, setuptools and wheel (Debian's python3 has them):
//           `pip wheel --no-build-isolation --no-index --no-deps` -> dist-jsii/python/cdk8s_vault_pki-<version>-py3-none-any.whl;
//   go:     writes the module source to dist-jsii/go/ (what jsii-pacmak publishes for Go); compiling it needs a Go
//           toolchain and the module proxy (github.com/aws/jsii-runtime-go and the cdk8s/cdktf Go modules);
//   java:   writes the Maven project to dist-jsii/java-src/ and runs `mvn -o package` when Maven is there, which
//           reports what Maven Central would have to provide.
// Exit status: 0 when the code was generated (and, for Python, the wheel built); 1 otherwise.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const ARTIFACTS = path.join(ROOT, 'dist-jsii');

function sh(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawnSync(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, encoding: 'utf8' });
}

/** A Python with pip, setuptools and wheel: $PYTHON, python3, or (under pyenv) the system's python3. */
function buildPython(): { command: string; env: NodeJS.ProcessEnv; version: string } | undefined {
  const candidates: Array<[string, NodeJS.ProcessEnv]> = [
    ...(process.env.PYTHON ? [[process.env.PYTHON, process.env] as [string, NodeJS.ProcessEnv]] : []),
    ['python3', process.env],
    ['python3', { ...process.env, PYENV_VERSION: 'system' }],
  ];
  for (const [command, env] of candidates) {
    const probe = sh(command, ['-c', 'import sys, setuptools, wheel, pip; print(sys.executable, "setuptools", setuptools.__version__, "wheel", wheel.__version__)'], { env });
    if (probe.status === 0) return { command, env, version: probe.stdout.trim() };
  }
  return undefined;
}

function main(language: string | undefined): number {
  if (!language || !['python', 'go', 'java'].includes(language)) {
    console.error('usage: package-language <python|go|java>');
    return 2;
  }
  if (!fs.existsSync(path.join(ROOT, '.jsii'))) {
    console.error('package-language: .jsii is missing: run `npx projen compile` first');
    return 1;
  }
  const generated = fs.mkdtempSync(path.join(os.tmpdir(), `vault-pki-${language}-`));
  try {
    console.log(`== jsii-pacmak --target ${language} --code-only`);
    const pacmak = sh('npx', ['jsii-pacmak', '--target', language, '--code-only', '--outdir', generated]);
    if (pacmak.status !== 0) {
      console.error(pacmak.stdout + pacmak.stderr);
      return 1;
    }
    const source = path.join(generated, language);

    if (language === 'python') {
      const python = buildPython();
      if (!python) {
        console.error('package:python: no Python with pip, setuptools and wheel here (Debian: apt-get install python3-pip python3-setuptools python3-wheel); '
          + 'jsii-pacmak\'s own build would install setuptools, build and twine from PyPI');
        return 1;
      }
      const out = path.join(ARTIFACTS, 'python');
      fs.rmSync(out, { recursive: true, force: true });
      console.log(`== building the wheel with ${python.version}`);
      const build = sh(python.command, ['-m', 'pip', 'wheel', '--no-build-isolation', '--no-index', '--no-deps', '--wheel-dir', out, source], { env: python.env });
      if (build.status !== 0) {
        console.error(build.stdout + build.stderr);
        return 1;
      }
      console.log(`package:python: built ${fs.readdirSync(out).map((f) => path.join('dist-jsii', 'python', f)).join(', ')}`);
      const requires = /"install_requires": (\[[^\]]*\])/.exec(fs.readFileSync(path.join(source, 'setup.py'), 'utf8'))?.[1];
      console.log(`package:python: installing it takes its dependencies from PyPI: ${requires ? JSON.parse(requires).join('; ') : '(see setup.py)'}`);
      return 0;
    }

    if (language === 'go') {
      const out = path.join(ARTIFACTS, 'go');
      fs.rmSync(out, { recursive: true, force: true });
      fs.cpSync(source, out, { recursive: true });
      const goMod = fs.readdirSync(out).map((d) => path.join(out, d, 'go.mod')).find((f) => fs.existsSync(f));
      console.log(`package:go: module source written to ${path.relative(ROOT, path.dirname(goMod ?? out))}`);
      const go = sh('go', ['version']);
      console.log(go.status === 0
        ? `package:go: NOT compiled: ${go.stdout.trim()} is here, but the module's requirements (github.com/aws/jsii-runtime-go, `
          + 'the cdk8s, constructs and cdktf Go modules) come from the Go module proxy, which this machine does not reach'
        : 'package:go: NOT compiled: no Go toolchain here (`go` is not installed), and the module\'s requirements '
          + '(github.com/aws/jsii-runtime-go, the cdk8s, constructs and cdktf Go modules) come from the Go module proxy, which this machine does not reach');
      return 0;
    }

    // java
    const out = path.join(ARTIFACTS, 'java-src');
    fs.rmSync(out, { recursive: true, force: true });
    fs.cpSync(source, out, { recursive: true });
    console.log(`package:java: Maven project written to ${path.relative(ROOT, out)}`);
    const mvn = sh('mvn', ['-B', '-o', '-q', 'package'], { cwd: out });
    if (mvn.error) {
      console.log('package:java: NOT built: no Maven here');
    } else if (mvn.status === 0) {
      console.log('package:java: built with the local Maven repository');
    } else {
      const reason = `${mvn.stdout}\n${mvn.stderr}`.split('\n').find((l) => /\[ERROR\]/.test(l))?.replace(/\u001b\[[0-9;]*m/g, '').trim();
      console.log('package:java: NOT built: `mvn -o package` needs artifacts from Maven Central (the jsii Java runtime '
        + `software.amazon.jsii:jsii-runtime, the cdk8s, constructs and cdktf jars, Maven's plugins), which this machine does not reach:\n  ${reason}`);
    }
    return 0;
  } finally {
    fs.rmSync(generated, { recursive: true, force: true });
  }
}

process.exitCode = main(process.argv[2]);
