// validate-schemas [--crds <crd-dir>] [manifest-dir ...]: validates every object of every *.yaml/*.yml file under each
// manifest-dir (default: dist) strictly against the CustomResourceDefinitions in crd-dir (default: upstream/crds, the
// vendored upstream schemas) and the built-in core kinds.
// Exit status: 0 without findings, 1 with findings, 2 when the validation cannot run (usage, unreadable input).
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { basename, dirname, join, sep } from 'path';
import Ajv from 'ajv';
import { csiVolumeProblems, WORKLOAD_KINDS } from './csi-volumes';
import { formatReport, parseYamlDocuments, SchemaRegistry, validateManifests, type ManifestFile } from './strict-schema';

const USAGE = 'usage: validate-schemas [--crds <crd-dir>] [manifest-dir ...]   (defaults: upstream/crds, dist)';
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

/**
 * Kinds the library emits whose CRD is not vendored in upstream/: reported as notes, never passed silently. Empty
 * since Argo CD's ApplicationSet (v3.5.1) was vendored.
 */
const UNVENDORED = new Set<string>();

/** Helm values files (a `helm/` folder of an output: not Kubernetes objects), checked against the charts' own schemas. */
const isHelmFile = (file: string) => file.split(sep).includes('helm');

/**
 * Checks each `helm/<chart>.values.yaml` against the chart's values.schema.json vendored in upstream/helm
 * (`<chart>-<version>.values.schema.json`), as `helm install -f` does (JSON Schema draft-07). Other files of the folder
 * (an IstioOperator for istioctl) are notes.
 */
function helmValuesProblems(dirs: string[]): { findings: string[]; notes: string[]; checked: number } {
  const schemas = join(__dirname, '..', 'upstream', 'helm');
  const available = readdirSync(schemas).filter((f) => f.endsWith('.values.schema.json'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  const findings: string[] = [];
  const notes: string[] = [];
  let checked = 0;
  for (const file of dirs.flatMap((d) => yamlFiles(d, true)).filter(isHelmFile)) {
    const chart = basename(file).replace(/\.values\.ya?ml$/, '');
    const schemaFile = available.find((f) => f.startsWith(`${chart}-v`));
    if (!basename(file).includes('.values.') || !schemaFile) {
      notes.push(`note: ${file} not validated here (no vendored schema for it)`);
      continue;
    }
    checked++;
    const validate = ajv.compile(JSON.parse(readFileSync(join(schemas, schemaFile), 'utf8')));
    const [doc] = parseYamlDocuments(readFileSync(file, 'utf8'));
    if (!validate(doc?.value)) {
      for (const e of validate.errors ?? []) findings.push(`${file}: ${e.instancePath || '.'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''} (${schemaFile})`);
    }
  }
  return { findings, notes, checked };
}

function loadManifests(dir: string): ManifestFile[] {
  const files = yamlFiles(dir, true).filter((f) => basename(f) !== 'kustomization.yaml' && !isHelmFile(f));
  if (files.length === 0) throw new Error(`no *.yaml or *.yml file in ${dir} (run the synth first?)`);
  return files.map((file) => ({ file, documents: parseYamlDocuments(readFileSync(file, 'utf8')) }));
}

/**
 * kustomize's own files (not Kubernetes objects): each must be a Kustomization whose `resources` exist next to it,
 * and every YAML file of its folder must be listed, so nothing is silently left out of a deployment.
 */
function kustomizationProblems(dirs: string[]): string[] {
  return dirs.flatMap((dir) => yamlFiles(dir, true).filter((f) => basename(f) === 'kustomization.yaml')).flatMap((file) => {
    const [doc] = parseYamlDocuments(readFileSync(file, 'utf8'));
    const k = doc?.value as { apiVersion?: string; kind?: string; resources?: string[] } | undefined;
    if (!k || k.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || k.kind !== 'Kustomization' || !Array.isArray(k.resources)) {
      return [`${file}: not a kustomize.config.k8s.io/v1beta1 Kustomization with resources`];
    }
    const folder = dirname(file);
    const missing = k.resources.filter((r) => !existsSync(join(folder, r))).map((r) => `${file}: resource '${r}' does not exist`);
    const unlisted = readdirSync(folder, { withFileTypes: true })
      .filter((e) => (e.isDirectory() || (/\.ya?ml$/.test(e.name) && e.name !== 'kustomization.yaml')) && !k.resources!.includes(e.name))
      .map((e) => `${file}: '${e.name}' is not listed in resources`);
    return [...missing, ...unlisted];
  });
}

/** The output a manifest file belongs to: its path up to a `dist` or `clusters/<name>` folder, else its directory. */
function outputOf(file: string): string {
  const parts = file.split(sep);
  const cluster = parts.lastIndexOf('clusters');
  if (cluster >= 0 && cluster + 1 < parts.length - 1) return parts.slice(0, cluster + 2).join(sep);
  const dist = parts.lastIndexOf('dist');
  return dist >= 0 ? parts.slice(0, dist + 1).join(sep) : dirname(file);
}

function main(args: readonly string[]): number {
  let crdDir = join(__dirname, '..', 'upstream', 'crds');
  const manifestDirs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--crds' && args[i + 1] !== undefined) {crdDir = args[++i];} else if (args[i].startsWith('-')) {
      console.error(USAGE);
      return 2;
    } else {manifestDirs.push(args[i]);}
  }
  if (manifestDirs.length === 0) manifestDirs.push('dist');
  for (const dir of [crdDir, ...manifestDirs]) {
    if (!isDirectory(dir)) {
      console.error(`validate-schemas: not a directory: ${dir}\n${USAGE}`);
      return 2;
    }
  }
  try {
    const registry = SchemaRegistry.fromDocuments(loadCrds(crdDir));
    // Names are unique per cluster: duplicates are looked for within one output (one `dist` tree, or one cluster
    // folder of a GitOps tree), never across two programs' outputs.
    const groups = new Map<string, ManifestFile[]>();
    for (const file of manifestDirs.flatMap(loadManifests)) {
      const key = outputOf(file.file);
      groups.set(key, [...(groups.get(key) ?? []), file]);
    }
    const unvalidated: string[] = [];
    const workloads: string[] = [];
    const volumeFindings: string[] = [];
    for (const files of groups.values()) {
      for (const file of files) {
        const kept = file.documents.filter((d) => {
          const v = d.value as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } } | undefined;
          const kind = `${v?.apiVersion} ${v?.kind}`;
          if (v !== undefined && WORKLOAD_KINDS.has(kind)) {
            // No vendored schema for core workloads: their csi volumes are checked against the drivers' own rules.
            workloads.push(`${file.file}: ${v.kind} ${v.metadata?.namespace ?? ''}/${v.metadata?.name}`);
            volumeFindings.push(...csiVolumeProblems(v).map((p) => `${file.file}: ${v.kind} ${v.metadata?.namespace}/${v.metadata?.name}: ${p}`));
            return false;
          }
          const skip = v !== undefined && UNVENDORED.has(kind);
          if (skip) unvalidated.push(`${file.file}: ${v!.kind} ${v!.metadata?.name}`);
          return !skip;
        });
        (file as { documents: unknown }).documents = kept;
      }
    }
    const reports = [...groups.values()].map((files) => validateManifests(registry, files));
    const report = reports.reduce((a, b) => ({
      files: a.files + b.files,
      objects: a.objects + b.objects,
      crdObjects: a.crdObjects + b.crdObjects,
      coreObjects: a.coreObjects + b.coreObjects,
      findings: [...a.findings, ...b.findings],
      notes: [...a.notes, ...b.notes],
      cel: { evaluated: a.cel.evaluated + b.cel.evaluated, notEvaluated: a.cel.notEvaluated + b.cel.notEvaluated },
    }));
    console.log(formatReport(report).join('\n'));
    for (const u of unvalidated) console.log(`note: ${u} not validated here (its CRD is not vendored; see UNVENDORED in scripts/validate-schemas.ts)`);
    for (const w of workloads) console.log(`note: ${w}: no vendored schema for the workload itself; its csi-driver volumes were checked`);
    for (const f of volumeFindings) console.log(f);
    const helm = helmValuesProblems(manifestDirs);
    for (const line of [...helm.findings, ...helm.notes]) console.log(line);
    console.log(`== ${workloads.length} workload(s): csi volumes ${volumeFindings.length} finding(s); ${helm.checked} Helm values file(s) against ` +
      `the charts' values schemas: ${helm.findings.length} finding(s)`);
    const kustomize = kustomizationProblems(manifestDirs);
    for (const k of kustomize) console.log(k);
    return report.findings.length > 0 || kustomize.length > 0 || volumeFindings.length > 0 || helm.findings.length > 0 ? 1 : 0;
  } catch (e) {
    console.error(`validate-schemas: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
