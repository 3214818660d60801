import * as fs from 'fs';
import * as path from 'path';
import { load } from 'js-yaml';
import { CliCommand, CliIo, CliUsageError, EXIT_FINDINGS, EXIT_OK, parseArgs } from './cli-command';
import { ConsistencyCheck, ConsistencyCheckOptions } from './consistency-check';
import { ConsistencyFinding, ConsistencyFindingKind } from './consistency-rule';
import { synthesizedStackFiles } from './synthesized-stacks';

/** A program's synthesized output: its manifests folder and its cdktf output, or its GitOps tree. */
interface ProgramOutput {
  readonly dir: string;
  readonly manifests?: string;
  readonly terraform?: string;
  readonly gitops?: string;
}

/** One result line: a program (or a fleet's cluster) and its findings. */
interface CheckedOutput {
  readonly program: string;
  readonly cluster?: string;
  readonly findings: ConsistencyFinding[];
}

const HELP = `Usage: cdk8s-vault-pki check [paths...] [--format text|json] [--cluster <name>] [--skip <rule>]...

Runs ConsistencyCheck on synthesized outputs that are already on disk (no program is run).

Each path (default: .) is a program's output folder, or a folder above several:
  - a folder with the Kubernetes manifests (dist/, or the 'output' of its cdk8s.yaml) and the cdktf output
    (cdktf.out/, or the 'output' of its cdktf.json) is checked on its own; of cdktf.out/, exactly the stacks its
    manifest.json lists are read (stack folders an earlier synthesis left behind are ignored);
  - folders with a GitOps tree (gitops/, written by GitOpsOutput) are checked together with their siblings, cluster
    by cluster (a fleet: the platform's program and the tenant teams' programs side by side).

Options:
  --format text|json  text (default): one line per output and per finding; json: {"findings": [...], "outputs": [...]}
  --cluster <name>    the cluster the manifests of single programs belong to (enables the cluster rules)
  --skip <rule>       a rule id not to run (repeatable; the ids are in the README and ConsistencyCheck.rules())

Exit status: 0 no finding, 1 findings, 2 usage or input error (a path that does not exist, unreadable output).`;

/** `cdk8s-vault-pki check`: ConsistencyCheck over program outputs on disk. @internal */
export const CHECK_COMMAND: CliCommand = {
  name: 'check',
  summary: 'check synthesized outputs on disk for consistency (dist/ and cdktf.out/, or GitOps trees)',
  help: HELP,
  run(args: string[], io: CliIo): number {
    const { options, positional } = parseArgs(args, ['--format', '--cluster', '--skip'], []);
    const format = last(options.get('--format')) ?? 'text';
    if (format !== 'text' && format !== 'json') throw new CliUsageError(`--format must be text or json, not '${format}'`);
    const known = ConsistencyCheck.rules().map((r) => r.id as string);
    const skip = options.get('--skip') ?? [];
    const unknown = skip.filter((s) => !known.includes(s));
    if (unknown.length > 0) throw new CliUsageError(`unknown rule ${unknown.join(', ')} for --skip; rules: ${known.join(', ')}`);
    const checkOptions: ConsistencyCheckOptions = { cluster: last(options.get('--cluster')), skip: skip as ConsistencyFindingKind[] };

    const results: CheckedOutput[] = [];
    const show = (p: string) => path.relative(io.cwd, p) || '.';
    for (const given of positional.length > 0 ? positional : ['.']) {
      const root = path.resolve(io.cwd, given);
      if (!fs.existsSync(root)) throw new CliUsageError(`${given} does not exist`);
      if (!fs.statSync(root).isDirectory()) throw new CliUsageError(`${given} is not a folder: give a program's output folder (with dist/ and cdktf.out/)`);
      const found = programOutputs(root);
      if (found.length === 0) {
        throw new CliUsageError(`${given}: no synthesized output here or below (a folder with dist/ and cdktf.out/, or with gitops/): run the program first`);
      }
      const fleets = new Map<string, ProgramOutput[]>();
      for (const program of found) {
        if (program.gitops) {
          const parent = path.dirname(program.dir);
          fleets.set(parent, [...(fleets.get(parent) ?? []), program]);
        } else {
          results.push({ program: show(program.dir), findings: ConsistencyCheck.checkOutputs(program.manifests!, program.terraform!, checkOptions) });
        }
      }
      for (const [parent, members] of fleets) {
        const stacks = members.flatMap((m) => (m.terraform ? synthesizedStackFiles(m.terraform) : []));
        const clusters = ConsistencyCheck.checkFleet(members.map((m) => m.gitops!), stacks, { ...checkOptions, cluster: undefined });
        const program = members.length === 1 ? show(members[0].dir) : `${show(parent)} (${members.map((m) => path.relative(parent, m.dir)).join(' + ')})`;
        for (const c of clusters) results.push({ program, cluster: c.cluster, findings: c.findings });
      }
    }

    const total = results.reduce((n, r) => n + r.findings.length, 0);
    if (format === 'json') {
      io.out(JSON.stringify({
        findings: results.flatMap((r) => r.findings.map((f) => ({
          rule: f.kind, object: f.object, message: f.message, program: r.program, ...(r.cluster ? { cluster: r.cluster } : {}),
        }))),
        outputs: results.map((r) => ({ program: r.program, ...(r.cluster ? { cluster: r.cluster } : {}), findings: r.findings.length })),
        rules: known.length - skip.length,
      }, null, 2));
    } else {
      for (const r of results) {
        io.out(`${r.findings.length === 0 ? 'ok' : '!!'} ${r.program}${r.cluster ? `, cluster ${r.cluster}` : ''}: ${r.findings.length} finding(s)`);
        for (const f of r.findings) io.out(`   ${f.kind}: ${f.object}: ${f.message}`);
      }
      io.out(`== cdk8s-vault-pki check: ${results.length} output(s) checked with ${known.length - skip.length} rules: ${total} finding(s)`);
    }
    return total === 0 ? EXIT_OK : EXIT_FINDINGS;
  },
};

function last(values: string[] | undefined): string | undefined {
  return values?.[values.length - 1];
}

/** `dir` when it holds a program's output, else every such folder under it (dot-folders and node_modules skipped), sorted. */
function programOutputs(dir: string): ProgramOutput[] {
  const here = programOutput(dir);
  if (here) return [here];
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
    .map((e) => e.name).sort()
    .flatMap((name) => programOutputs(path.join(dir, name)));
}

function programOutput(dir: string): ProgramOutput | undefined {
  const terraform = path.join(dir, configuredOutput(dir, 'cdktf.json') ?? 'cdktf.out');
  const hasTerraform = isDirectory(terraform);
  const gitops = path.join(dir, 'gitops');
  if (isDirectory(gitops)) return { dir, gitops, terraform: hasTerraform ? terraform : undefined };
  const manifests = path.join(dir, configuredOutput(dir, 'cdk8s.yaml') ?? 'dist');
  return isDirectory(manifests) && hasTerraform ? { dir, manifests, terraform } : undefined;
}

/** The `output` folder a program's cdk8s.yaml or cdktf.json names, if it has that file. */
function configuredOutput(dir: string, file: 'cdk8s.yaml' | 'cdktf.json'): string | undefined {
  const full = path.join(dir, file);
  if (!fs.existsSync(full)) return undefined;
  let config: any;
  try {
    const text = fs.readFileSync(full, 'utf8');
    config = file === 'cdktf.json' ? JSON.parse(text) : load(text);
  } catch (e) {
    throw new CliUsageError(`${full}: ${(e as Error).message.split('\n')[0]}`);
  }
  return typeof config?.output === 'string' ? config.output : undefined;
}

function isDirectory(p: string): boolean {
  return fs.existsSync(p) && fs.statSync(p).isDirectory();
}
