// The real `terraform` binary as the tests run it (test/terraform-plan/harness.ts, test/models/terraform/real-terraform.ts).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The CLI configuration every run reads: an empty file in the run's folder, so no ~/.terraformrc applies. */
const CLI_CONFIG = 'cli.tfrc';

/**
 * `terraform <args>` in `dir`, offline and non-interactive (no checkpoint call, automation output, an empty CLI
 * configuration): its exit status and its standard output, then its standard error.
 * GOGC=400: Go's collector runs a quarter as often. The plan-guard harness puts many cases in one plan, and that plan
 * costs 1.67x the CPU at Go's default (farm-bench A/B, 6 runs each: 6.35 s at GOGC=400, 236 MiB); a one-case plan costs
 * about the same either way (0.96x at the default), GOGC=800 no less than 400. What terraform does is the same.
 */
export function terraform(dir: string, args: string[]): { status: number; out: string } {
  const config = path.join(dir, CLI_CONFIG);
  if (!fs.existsSync(config)) fs.writeFileSync(config, '');
  const r = spawnSync('terraform', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, TF_CLI_CONFIG_FILE: config, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', GOGC: '400' },
  });
  return { status: r.status ?? -1, out: `${r.stdout}\n${r.stderr}` };
}
