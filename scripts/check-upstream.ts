// check-upstream [reference-dir]: the vendored upstream schemas (upstream/) are what every output is checked against.
// This proves they are intact (upstream/SHA256SUMS) and, when the team's reference copies exist (default ../shared,
// holding crds/ and tf-providers/), byte-identical to them. Exit status: 0 ok, 1 on a mismatch.
import { createHash } from 'crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';

const ROOT = join(__dirname, '..');
const UPSTREAM = join(ROOT, 'upstream');

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Every file under `dir`, as paths relative to `base`. */
function filesUnder(dir: string, base: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? filesUnder(full, base) : [relative(base, full)];
  });
}

function main(args: string[]): number {
  const reference = args[0] ?? join(ROOT, '..', 'shared');
  const sums = readFileSync(join(UPSTREAM, 'SHA256SUMS'), 'utf8').trim().split('\n').map((line) => {
    const [hash, file] = line.split(/\s+/);
    return { hash, file };
  });
  let problems = 0;
  for (const { hash, file } of sums) {
    const actual = sha256(join(UPSTREAM, file));
    if (actual !== hash) {
      console.log(`!! upstream/${file}: sha256 ${actual}, SHA256SUMS says ${hash}`);
      problems++;
    }
  }
  console.log(`== ${sums.length} vendored upstream files intact`);
  if (!existsSync(reference)) {
    console.log(`!! SKIPPED comparison with the reference copies: ${reference} does not exist on this machine`);
    return problems > 0 ? 1 : 0;
  }
  let compared = 0;
  for (const { hash, file } of sums) {
    const theirs = join(reference, file);
    if (!existsSync(theirs)) continue;
    compared++;
    const their = sha256(theirs);
    if (their !== hash) {
      console.log(`!! upstream/${file} differs from ${theirs}: copy it over, update upstream/SHA256SUMS, re-run the checks`);
      problems++;
    }
  }
  // A reference file that is not vendored at all: the team's copy moved on (a new CRD, a new provider schema) and the
  // checks here would silently run against less than it holds.
  const vendored = new Set(sums.map((s) => s.file));
  for (const folder of ['crds', 'tf-providers']) {
    for (const file of filesUnder(join(reference, folder), reference)) {
      if (vendored.has(file)) continue;
      console.log(`!! ${join(reference, file)} is not vendored: copy it to upstream/${file}, add it to upstream/SHA256SUMS, re-run the checks`);
      problems++;
    }
  }
  console.log(`== ${compared} vendored files compared with ${reference}: ${problems} difference(s)`);
  return problems > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
