// check-consistency [dir...]: runs ConsistencyCheck over synthesized programs, as a user runs it in CI: each dir (default:
// examples.out) that is a program's output, or every one under it, with dist/ (manifests) and cdktf.out/ (Terraform) is checked on its own;
// programs that write GitOps trees (gitops/) are checked together with their siblings (a fleet: the platform's and the
// tenants' programs), cluster by cluster (ConsistencyCheck.checkFleet). Exit status: 0 without findings, 1 with findings.
import { existsSync, readdirSync, statSync } from 'fs';
import { dirname, join, relative } from 'path';
import { ConsistencyCheck, ConsistencyFinding } from '../src';

/** `dir` when it is a program's output (dist/ and cdktf.out/, or gitops/), else every such folder under it, sorted. */
function programs(dir: string): string[] {
  if (!statSync(dir).isDirectory()) return [];
  if ((existsSync(join(dir, 'dist')) && existsSync(join(dir, 'cdktf.out'))) || existsSync(join(dir, 'gitops'))) return [dir];
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
    .map((e) => e.name).sort().flatMap((name) => programs(join(dir, name)));
}

function main(args: string[]): number {
  const roots = args.length > 0 ? args : ['examples.out'];
  let findings = 0;
  let checked = 0;
  const report = (what: string, list: readonly ConsistencyFinding[]) => {
    checked++;
    findings += list.length;
    console.log(`${list.length === 0 ? 'ok' : '!!'} ${what}: ${list.length} finding(s)`);
    for (const f of list) console.log(`   ${f.kind}: ${f.object}: ${f.message}`);
  };
  for (const root of roots) {
    if (!existsSync(root)) {
      console.error(`check-consistency: ${root} does not exist (run npm run synth:examples first)`);
      return 2;
    }
    const found = programs(root);
    const fleets = new Map<string, string[]>();
    for (const program of found) {
      if (existsSync(join(program, 'gitops'))) {
        fleets.set(dirname(program), [...(fleets.get(dirname(program)) ?? []), program]);
      } else {
        report(relative('.', program) || '.', ConsistencyCheck.checkOutputs(join(program, 'dist'), join(program, 'cdktf.out')));
      }
    }
    for (const [fleet, members] of fleets) {
      const results = ConsistencyCheck.checkFleet(members.map((m) => join(m, 'gitops')), members.map((m) => join(m, 'cdktf.out')));
      for (const cluster of results) report(`${relative('.', fleet)} (${members.map((m) => relative(fleet, m)).join(' + ')}), cluster ${cluster.cluster}`, cluster.findings);
    }
  }
  console.log(`== check-consistency: ${checked} output(s) checked with ${ConsistencyCheck.rules().length} rules: ${findings} finding(s)`);
  return findings === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
