// validate-terraform [--schemas <dir>] [path...]: checks every synthesized cdk.tf.json under each path (a file, or a
// directory searched recursively; default: cdktf.out) against the provider schemas in <dir> (default:
// upstream/tf-providers, extracted from the providers' source: see its PROVENANCE.md).
// Then, where a `terraform` binary and the providers are installed, runs `terraform validate` on each stack; otherwise it
// says SKIPPED and why. Exit status: 0 without findings, 1 with findings, 2 when the check cannot run.
import { spawnSync } from 'child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join } from 'path';
import { ProviderSchema, TerraformSchemaChecker } from './terraform-schema';

const USAGE = 'usage: validate-terraform [--schemas <dir>] [cdk.tf.json or directory ...]   (default: cdktf.out)';

function stackFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const full = join(path, entry.name);
      if (entry.isDirectory()) return entry.name === '.terraform' ? [] : stackFiles(full);
      return entry.name === 'cdk.tf.json' ? [full] : [];
    });
}

export function loadSchemas(dir: string): ProviderSchema[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.schema.json')).sort();
  if (files.length === 0) throw new Error(`no *.schema.json in ${dir}`);
  return files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ProviderSchema);
}

/** `terraform validate` where it can run; returns false on a failure, true when it passed or was skipped. */
function terraformValidate(files: string[]): boolean {
  const version = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  if (version.error) {
    console.log('!! SKIPPED terraform validate: no `terraform` binary on PATH (and no registry here serves it or the providers); ' +
      'the schema check above stands in for it');
    return true;
  }
  let ok = true;
  for (const file of files) {
    const dir = dirname(file);
    const init = spawnSync('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: dir, encoding: 'utf8' });
    if (init.status !== 0) {
      console.log(`!! SKIPPED terraform validate of ${file}: \`terraform init\` could not install the providers (no local mirror): ` +
        `${(init.stderr || init.stdout).split('\n').map((l) => l.replace(/^[│╷╵\s]+/, '')).filter(Boolean).find((l) => /Error/.test(l)) ?? 'no detail'}`);
      continue;
    }
    const result = spawnSync('terraform', ['validate', '-no-color'], { cwd: dir, encoding: 'utf8' });
    console.log(`== terraform validate ${file}: ${result.status === 0 ? 'ok' : 'FAILED'}`);
    if (result.status !== 0) {
      console.log(result.stdout + result.stderr);
      ok = false;
    }
  }
  return ok;
}

function main(args: string[]): number {
  let schemaDir = join(__dirname, '..', 'upstream', 'tf-providers');
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--schemas') {schemaDir = args[++i];} else if (args[i].startsWith('-')) {
      console.error(USAGE);
      return 2;
    } else {paths.push(args[i]);}
  }
  if (paths.length === 0) paths.push('cdktf.out');
  try {
    const schemas = loadSchemas(schemaDir);
    const checker = new TerraformSchemaChecker(schemas);
    const missing = paths.filter((p) => !existsSync(p));
    if (missing.length > 0) throw new Error(`not found: ${missing.join(', ')} (run the synth first?)`);
    const files = paths.flatMap(stackFiles);
    if (files.length === 0) throw new Error(`no cdk.tf.json under ${paths.join(', ')}`);
    let findings = 0;
    let resources = 0;
    for (const file of files) {
      const config = JSON.parse(readFileSync(file, 'utf8'));
      resources += Object.values((config.resource ?? {}) as Record<string, object>).reduce((n, r) => n + Object.keys(r).length, 0);
      for (const f of checker.check(config)) {
        findings++;
        console.log(`${file}: ${f.address}${f.path ? ` .${f.path}` : ''}: ${f.problem}`);
      }
    }
    console.log(`== validate:terraform: ${files.length} stack(s), ${resources} resources checked against ` +
      `${schemas.map((s) => `${s.meta.provider} ${s.meta.version}`).join(', ')}: ${findings} finding(s)`);
    const validated = terraformValidate(files);
    return findings > 0 || !validated ? 1 : 0;
  } catch (e) {
    console.error(`validate-terraform: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
