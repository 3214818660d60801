// synth-examples [name...]: runs every example program (each examples/**/main.ts, or the named ones) the way a user
// runs it (the TypeScript transpiled once and cached, see ts-register.js), with its working directory
// examples.out/<example>/, so its Kubernetes YAML lands in
// examples.out/<example>/dist/ and its Terraform JSON in examples.out/<example>/cdktf.out/.
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'fs';
import { join, relative } from 'path';

const ROOT = join(__dirname, '..');
const EXAMPLES = join(ROOT, 'examples');
const OUT = join(ROOT, 'examples.out');

/** Every directory under `dir` holding a main.ts, relative to examples/. */
function programs(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  const here = entries.some((e) => e.isFile() && e.name === 'main.ts') ? [relative(EXAMPLES, dir)] : [];
  return [...here, ...entries.filter((e) => e.isDirectory()).flatMap((e) => programs(join(dir, e.name)))];
}

function main(args: string[]): number {
  const all = programs(EXAMPLES);
  const wanted = args.length > 0 ? args : all;
  const unknown = wanted.filter((w) => !all.includes(w));
  if (unknown.length > 0) {
    console.error(`synth-examples: no example ${unknown.join(', ')}; examples: ${all.join(', ')}`);
    return 2;
  }
  for (const example of wanted) {
    const out = join(OUT, example);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const started = Date.now();
    // Each example in a process of its own (its working directory is its output folder), all sharing one transpile of
    // src/ and of the examples (scripts/ts-register.js caches the JavaScript of every .ts file by its content).
    const result = spawnSync(process.execPath, ['-r', join(__dirname, 'ts-register.js'), join(EXAMPLES, example, 'main.ts')], {
      cwd: out,
      stdio: 'inherit',
    });
    if (result.status !== 0) {
      console.error(`synth-examples: ${example} failed (exit ${result.status ?? result.signal})`);
      return 1;
    }
    const written = ['dist', 'gitops', 'cdktf.out', 'helm'].filter((d) => existsSync(join(out, d)));
    console.log(`== ${example}: ${written.map((d) => `examples.out/${example}/${d}`).join(', ')} (${Date.now() - started} ms)`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
