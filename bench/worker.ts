// One measured synth run, in a fresh process: `node .bench/worker.js <library|baseline> <clusters> <tenants> <outdir>`
// writes <outdir>/gitops (the GitOps tree) and <outdir>/tf (cdktf.out). The driver (bench.ts) transpiles this file
// to plain JS once, so no TypeScript is compiled here. Prints one line `BENCH_RESULT {json}` with the in-process
// timings and the peak RSS.
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { RESULT_PREFIX, WorkerResult } from './protocol';
import { loadScenario } from './scenario-loader';
import { Variant, VARIANTS } from './scenarios';

async function main(): Promise<void> {
  const bootMs = performance.now();
  const [variant, clustersText, tenantsText, outdir] = process.argv.slice(2);
  const clusters = Number(clustersText);
  const tenants = Number(tenantsText);
  if (!VARIANTS.includes(variant as Variant) || !Number.isInteger(clusters) || clusters < 1
    || !Number.isInteger(tenants) || tenants < 0 || !outdir) {
    throw new Error(`usage: worker.js <${VARIANTS.join('|')}> <clusters> <tenants> <outdir>`);
  }
  // cdktf's App creates its outdir without `recursive`: the parent must exist.
  fs.mkdirSync(outdir, { recursive: true });
  const outdirs = { gitops: path.join(outdir, 'gitops'), tf: path.join(outdir, 'tf') };

  const t0 = performance.now();
  const build = await loadScenario(variant as Variant);
  const t1 = performance.now();
  const cpu1 = process.cpuUsage();
  const built = build({ clusters, tenants }, outdirs);
  const t2 = performance.now();
  built.writeGitOps();
  const t3 = performance.now();
  built.synthTerraform();
  const t4 = performance.now();
  const cpu = process.cpuUsage(cpu1);

  const usage = process.resourceUsage();
  const result: WorkerResult = {
    variant: variant as Variant,
    clusters,
    tenants,
    bootMs,
    loadMs: t1 - t0,
    buildMs: t2 - t1,
    k8sWriteMs: t3 - t2,
    tfSynthMs: t4 - t3,
    maxRssKb: usage.maxRSS,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    inProcessCpuMs: (cpu.user + cpu.system) / 1000,
  };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
