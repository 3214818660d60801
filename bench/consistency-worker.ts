// One measured ConsistencyCheck run, in a fresh process: `node .bench/consistency-worker.js <gitops dir> <cdktf.out dir>`
// runs ConsistencyCheck.checkFleet([gitops], [cdktf.out]) of the compiled library over the whole fleet and prints one
// line `BENCH_RESULT {json}` with its time, what it read and what it found.
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { ConsistencyResult, RESULT_PREFIX } from './protocol';

async function main(): Promise<void> {
  const [gitops, terraform] = process.argv.slice(2);
  if (!gitops || !terraform) throw new Error('usage: consistency-worker.js <gitops dir> <cdktf.out dir>');

  const t0 = performance.now();
  // lib/ exists once `npm run bench` has compiled the library (its first step), not on a fresh clone.
  // eslint-disable-next-line import/no-unresolved
  const { ConsistencyCheck } = await import('../lib/index.js');
  const t1 = performance.now();
  const results = ConsistencyCheck.checkFleet([gitops], [terraform]);
  const t2 = performance.now();
  const usage = process.resourceUsage();

  // What was checked (counted after the timing).
  const stackFiles = listFiles(terraform).filter((f) => path.basename(f) === 'cdk.tf.json');
  const resources = stackFiles.reduce((n, file) => n + Object.values<Record<string, unknown>>(JSON.parse(fs.readFileSync(file, 'utf8')).resource ?? {})
    .reduce((m, byId) => m + Object.keys(byId).length, 0), 0);
  const findings = results.flatMap((r) => r.findings.map((f) => `${r.cluster}: [${f.kind}] ${f.object}: ${f.message}`));
  const result: ConsistencyResult = {
    loadMs: t1 - t0,
    checkMs: t2 - t1,
    clusters: results.length,
    // Every cluster's objects (the fleet-wide result, cluster '', counts them all again).
    objects: results.filter((r) => r.cluster !== '').reduce((n, r) => n + r.objects, 0),
    stacks: stackFiles.length,
    resources,
    findings: findings.length,
    sample: findings.slice(0, 10),
    maxRssKb: usage.maxRSS,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
  };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p) : [p];
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
