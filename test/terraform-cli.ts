// The real `terraform` binary as the tests run it (test/terraform-plan/harness.ts, test/models/terraform/real-terraform.ts).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The CLI configuration every run reads: an empty file in the run's folder, so no ~/.terraformrc applies. */
const CLI_CONFIG = 'cli.tfrc';

/**
 * `terraform <args>` in `dir`, offline and non-interactive (no checkpoint call, automation output, an empty CLI
 * configuration): its exit status and its standard output, then its standard error.
 * GOGC=400: Go's collector runs a quarter as often; a guard plan then costs ~15% less CPU (7.1 -> 6.0 s user over 24
 * plans' worth of guards) for ~200 MB instead of ~130 MB. What terraform does is the same.
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
