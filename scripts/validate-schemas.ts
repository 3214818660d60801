// validate-schemas <crd-dir> [manifest-dir]: validates every object of every *.yaml/*.yml file under manifest-dir
// (default: dist) strictly against the CustomResourceDefinitions in crd-dir and the built-in core kinds.
// Exit status: 0 without findings, 1 with findings, 2 when the validation cannot run (usage, unreadable input).
import { readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { formatReport, parseYamlDocuments, SchemaRegistry, validateManifests, type ManifestFile } from './strict-schema';

const USAGE = 'usage: validate-schemas <crd-dir> [manifest-dir]   (manifest-dir defaults to dist)';
const CRD_MARKER = /^kind:\s*CustomResourceDefinition\s*$/m;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** *.yaml and *.yml files, sorted by name, descending into subdirectories when asked. */
function yamlFiles(dir: string, recursive: boolean): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return recursive ? yamlFiles(path, true) : [];
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

function loadCrds(dir: string): unknown[] {
  const files = yamlFiles(dir, false).filter((file) => CRD_MARKER.test(readFileSync(file, 'utf8')));
  const docs = files.flatMap((file) =>
    parseYamlDocuments(readFileSync(file, 'utf8')).map((doc) => {
      if (doc.error !== undefined) throw new Error(`${file}: document ${doc.index}: ${doc.error}`);
      return doc.value;
    }),
  );
  if (docs.length === 0) throw new Error(`no CustomResourceDefinition in ${dir}`);
  return docs;
}

function loadManifests(dir: string): ManifestFile[] {
  const files = yamlFiles(dir, true);
  if (files.length === 0) throw new Error(`no *.yaml or *.yml file in ${dir} (run the synth first?)`);
  return files.map((file) => ({ file, documents: parseYamlDocuments(readFileSync(file, 'utf8')) }));
}

function main(args: readonly string[]): number {
  const [crdDir, manifestDir = 'dist', ...rest] = args;
  if (crdDir === undefined || crdDir.startsWith('-') || rest.length > 0) {
    console.error(USAGE);
    return 2;
  }
  for (const dir of [crdDir, manifestDir]) {
    if (!isDirectory(dir)) {
      console.error(`validate-schemas: not a directory: ${dir}\n${USAGE}`);
      return 2;
    }
  }
  try {
    const registry = SchemaRegistry.fromDocuments(loadCrds(crdDir));
    const report = validateManifests(registry, loadManifests(manifestDir));
    console.log(formatReport(report).join('\n'));
    return report.findings.length > 0 ? 1 : 0;
  } catch (e) {
    console.error(`validate-schemas: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
