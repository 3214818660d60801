import * as fs from 'fs';
import * as path from 'path';

/**
 * The `cdk.tf.json` files of the Terraform stacks a synthesis wrote under `terraformPath`.
 *
 * - a file: that file;
 * - a folder holding a cdktf `manifest.json` (a `cdktf.out/`): exactly the stacks the manifest lists
 *   (`stacks.<name>.synthesizedStackPath`), so stack folders left behind by an earlier synthesis are not read;
 * - any other folder: the above for each folder under it (a `cdk.tf.json` outside any `cdktf.out/` counts as it is).
 *
 * Sorted by path, so findings come in the same order on every machine.
 * @internal
 */
export function synthesizedStackFiles(terraformPath: string): string[] {
  if (!fs.statSync(terraformPath).isDirectory()) return [terraformPath];
  const manifest = path.join(terraformPath, 'manifest.json');
  if (fs.existsSync(manifest)) return manifestStacks(terraformPath, manifest);
  return fs.readdirSync(terraformPath, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const full = path.join(terraformPath, entry.name);
      if (entry.isDirectory()) return synthesizedStackFiles(full);
      return entry.name === 'cdk.tf.json' ? [full] : [];
    });
}

/** The stacks a cdktf `manifest.json` lists, as paths under `outdir`. */
function manifestStacks(outdir: string, manifestFile: string): string[] {
  let manifest: any;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  } catch (e) {
    throw new Error(`${manifestFile}: ${(e as Error).message}`);
  }
  const stacks = manifest?.stacks;
  if (stacks === null || typeof stacks !== 'object') throw new Error(`${manifestFile}: no "stacks" object (not a cdktf manifest)`);
  return Object.entries<any>(stacks).map(([name, stack]) => {
    const relative = stack?.synthesizedStackPath;
    if (typeof relative !== 'string') throw new Error(`${manifestFile}: stack '${name}' has no synthesizedStackPath`);
    const file = path.join(outdir, relative);
    if (!fs.existsSync(file)) throw new Error(`${manifestFile}: stack '${name}' lists ${relative}, which does not exist`);
    return file;
  }).sort();
}
