// Strict validation of Kubernetes manifests against CRD schemas, the way `kubectl apply --validate=strict` and the API
// server would judge them: unknown fields anywhere are errors, ObjectMeta is checked like the API server checks it, and
// the CRDs' x-kubernetes-validations (CEL) rules are evaluated; a rule that cannot be evaluated is counted, never passed.
import { celEnv, isCelError, parse, plan, type CelInput } from '@bufbuild/cel';
import { RE2JS } from '@bufbuild/re2';
import Ajv, { type ErrorObject, type Format, type ValidateFunction } from 'ajv';
import * as YAML from 'yaml';
import { CORE_KINDS, DNS_SUBDOMAIN, OBJECT_META, type NameRule, type Schema, type Scope } from './core-schemas';

type JsonObject = Record<string, unknown>;

/** A problem at a JSON path (`.spec.issuerRef.name`, `.metadata.labels["app.kubernetes.io/name"]`, `.` for the object). */
export interface Issue {
  readonly path: string;
  readonly problem: string;
}

export interface KindSchema {
  readonly source: 'crd' | 'core';
  readonly apiVersion: string;
  readonly kind: string;
  readonly scope: Scope;
  readonly nameRule: NameRule;
  readonly served: boolean;
  /** The schema as published (x-kubernetes-* extensions intact), used for CEL rules and list-map keys. */
  readonly schema: Schema;
}

export interface CelTally {
  evaluated: number;
  notEvaluated: number;
}

export interface ObjectResult {
  /** Which schema validated the object; undefined when none applies. */
  readonly source?: 'crd' | 'core';
  readonly issues: Issue[];
  /** CEL rules that could not be evaluated (why, and where). */
  readonly notes: Issue[];
  readonly cel: CelTally;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------------------------
// YAML

export interface ParsedDocument {
  /** 1-based position of the document in its stream. */
  readonly index: number;
  readonly value?: unknown;
  readonly error?: string;
}

// kubectl reads YAML with sigs.k8s.io/yaml (go-yaml v2): YAML 1.1 booleans (yes/no/on/off) and octals, but timestamps
// and sexagesimal numbers stay strings. Duplicate keys are errors (the yaml package's default), as in strict mode.
const YAML_OPTIONS: YAML.ParseOptions & YAML.DocumentOptions & YAML.SchemaOptions = {
  version: '1.1',
  customTags: (tags) => tags.filter((tag) => typeof tag === 'string' || (tag.tag !== 'tag:yaml.org,2002:timestamp' && tag.format !== 'TIME')),
};

/** Every non-empty document of a multi-document YAML stream, or the first parse error of each broken document. */
export function parseYamlDocuments(text: string): ParsedDocument[] {
  return Array.from(YAML.parseAllDocuments(text, YAML_OPTIONS)).flatMap((doc, i): ParsedDocument[] => {
    if (doc.errors.length > 0) {
      return [{ index: i + 1, error: doc.errors[0].message.split('\n')[0].replace(/:$/, '') }];
    }
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [{ index: i + 1, value }];
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Schema registry

const INT32 = 2 ** 31;
const INT64 = 2 ** 63;

// The formats the CRDs use that the API server (or the controller decoding into Go types) enforces; other formats are
// dropped from the schemas, as the API server ignores formats it does not know.
const FORMATS: Record<string, Format> = {
  'int32': { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 },
  'int64': { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT64 && n < INT64 },
  // Go's base64.StdEncoding, which skips newlines.
  'byte': (s: string) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s.replace(/[\r\n]/g, '')),
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
};

// OpenAPI patterns are Go (RE2) regular expressions, e.g. `^(?i)(abort|warn)?$`: match them with an RE2 engine.
const RE2_ENGINE = Object.assign((pattern: string) => RE2JS.compile(pattern), { code: 'RE2JS.compile' });

const OBJECT_META_REF = 'ObjectMeta';

function mapValues(value: unknown, fn: (schema: Schema) => Schema): Schema {
  return Object.fromEntries(Object.entries(value as Schema).map(([key, child]) => [key, fn(child as Schema)]));
}

function isIntOrStringAnyOf(anyOf: unknown): boolean {
  const types = Array.isArray(anyOf) ? anyOf.map((branch) => JSON.stringify(branch)).sort() : [];
  return JSON.stringify(types) === JSON.stringify(['{"type":"integer"}', '{"type":"string"}']);
}

/**
 * The JSON schema ajv validates with: every object node without additionalProperties and without
 * x-kubernetes-preserve-unknown-fields gets additionalProperties: false (structural pruning + strict field validation:
 * a field the schema does not declare is unknown); int-or-string becomes integer|string; list-type set means unique
 * items. Logic branches (anyOf/allOf/oneOf/not) only constrain values, so they are left as they are.
 */
export function strictify(node: Schema): Schema {
  const out: Schema = { ...node };
  if (isObject(node.properties)) out.properties = mapValues(node.properties, strictify);
  if (isObject(node.items)) out.items = strictify(node.items);
  if (isObject(node.additionalProperties)) out.additionalProperties = strictify(node.additionalProperties);
  const isObjectNode = node.type === 'object' || node.properties !== undefined;
  if (isObjectNode && node.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    out.type = ['integer', 'string'];
    if (isIntOrStringAnyOf(node.anyOf)) delete out.anyOf;
  }
  if (node['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;
  if (typeof node.format === 'string' && !(node.format in FORMATS)) delete out.format;
  return out;
}

/** A kind's root schema: strict, with metadata required and validated as ObjectMeta (plus the CRD's own metadata
 * constraints, e.g. a maxLength on name, which the API server also applies). */
function rootSchema(schema: Schema): Schema {
  const strict = strictify(schema);
  const required = Array.isArray(strict.required) ? strict.required : [];
  const properties = isObject(schema.properties) ? schema.properties : {};
  const metadata = { allOf: [{ $ref: OBJECT_META_REF }, properties.metadata ?? {}] };
  return { ...strict, properties: { ...(strict.properties as Schema), metadata }, required: [...new Set([...required, 'metadata'])] };
}

function field(value: unknown, path: string, what: string): unknown {
  const result = path.split('.').reduce((node, key) => (isObject(node) ? node[key] : undefined), value);
  if (result === undefined) throw new Error(`invalid CustomResourceDefinition ${what}: ${path} is missing`);
  return result;
}

/** One entry per version of a CustomResourceDefinition (apiextensions.k8s.io/v1); [] for other documents. */
function crdKinds(doc: unknown): KindSchema[] {
  if (!isObject(doc) || doc.kind !== 'CustomResourceDefinition') return [];
  const what = String(field(doc, 'metadata.name', 'without a name'));
  const group = String(field(doc, 'spec.group', what));
  const kind = String(field(doc, 'spec.names.kind', what));
  const scope = field(doc, 'spec.scope', what) as Scope;
  const versions = field(doc, 'spec.versions', what) as unknown[];
  return versions.map((version) => ({
    source: 'crd',
    apiVersion: `${group}/${String(field(version, 'name', what))}`,
    kind,
    scope,
    nameRule: 'dns-subdomain',
    served: field(version, 'served', what) === true,
    schema: field(version, 'schema.openAPIV3Schema', what) as Schema,
  }));
}

export class SchemaRegistry {
  /** The core kinds plus every version of every CustomResourceDefinition among the documents. */
  public static fromDocuments(docs: readonly unknown[]): SchemaRegistry {
    const core = CORE_KINDS.map((k): KindSchema => ({ ...k, source: 'core', served: true }));
    return new SchemaRegistry([...core, ...docs.flatMap(crdKinds)]);
  }

  private readonly kinds = new Map<string, KindSchema>();
  private readonly validators = new Map<KindSchema, ValidateFunction>();
  private readonly ajv = new Ajv({ strict: false, allErrors: true, formats: FORMATS, code: { regExp: RE2_ENGINE } });

  public constructor(kinds: readonly KindSchema[]) {
    for (const k of kinds) this.kinds.set(`${k.apiVersion} ${k.kind}`, k);
    this.ajv.addSchema(OBJECT_META, OBJECT_META_REF);
  }

  public lookup(apiVersion: string, kind: string): KindSchema | undefined {
    return this.kinds.get(`${apiVersion} ${kind}`);
  }

  /** The apiVersions that define a kind of the same group (to explain a missing version). */
  public versionsOf(apiVersion: string, kind: string): string[] {
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    return [...this.kinds.values()]
      .filter((k) => k.kind === kind && (k.apiVersion.includes('/') ? k.apiVersion.split('/')[0] : '') === group)
      .map((k) => k.apiVersion)
      .sort();
  }

  /** Compiled on first use: the cert-manager issuer schemas are large. */
  public validator(kind: KindSchema): ValidateFunction {
    let validate = this.validators.get(kind);
    if (!validate) {
      validate = this.ajv.compile(rootSchema(kind.schema));
      this.validators.set(kind, validate);
    }
    return validate;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Paths and ajv errors

function childPath(path: string, key: string | number): string {
  const base = path === '.' ? '' : path;
  if (typeof key === 'number') return `${base}[${key}]`;
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

/** A JSON pointer as a path, resolving which segments are array indices, and the value there. */
function resolvePointer(data: unknown, pointer: string): { path: string; value: unknown } {
  let path = '.';
  let value = data;
  for (const segment of pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    path = Array.isArray(value) ? childPath(path, Number(segment)) : childPath(path, segment);
    value = Array.isArray(value) ? value[Number(segment)] : isObject(value) ? value[segment] : undefined;
  }
  return { path, value };
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

// Errors that only summarise errors reported on their own (if/then branches, property names).
const SUMMARY_KEYWORDS = new Set(['if', 'propertyNames']);

function ajvIssue(error: ErrorObject, data: unknown): Issue {
  const { path, value } = resolvePointer(data, error.instancePath);
  const params = error.params as JsonObject;
  if (error.propertyName !== undefined) return { path: childPath(path, error.propertyName), problem: `invalid key: ${error.message}` };
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: childPath(path, String(params.additionalProperty)), problem: 'unknown field' };
    case 'required':
      return { path: childPath(path, String(params.missingProperty)), problem: 'required field missing' };
    case 'enum':
      return { path, problem: `unsupported value ${shown(value)}: must be one of ${(params.allowedValues as unknown[]).map(shown).join(', ')}` };
    case 'const':
      return { path, problem: `unsupported value ${shown(value)}: must be ${shown(params.allowedValue)}` };
    case 'type':
      return { path, problem: `${error.message} (got ${shown(value)})` };
    case 'pattern':
    case 'format':
      return { path, problem: `invalid value ${shown(value)}: ${error.message}` };
    default:
      return { path, problem: error.message ?? error.keyword };
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// ObjectMeta, as the API server validates it

const DNS_SUBDOMAIN_RE = new RegExp(DNS_SUBDOMAIN);
const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ALNUM_ENDS = 'alphanumeric characters, \'-\', \'_\' or \'.\', starting and ending with an alphanumeric character';
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

function dnsSubdomainProblem(value: string): string | undefined {
  if (value.length > 253) return 'must be no more than 253 characters';
  return DNS_SUBDOMAIN_RE.test(value) ? undefined : 'must be a lowercase RFC 1123 subdomain (a-z, 0-9, \'-\', \'.\'; alphanumeric at both ends)';
}

function dnsLabelProblem(value: string): string | undefined {
  if (value.length > 63) return 'must be no more than 63 characters';
  return DNS_LABEL_RE.test(value) ? undefined : 'must be a lowercase RFC 1123 label (a-z, 0-9, \'-\'; alphanumeric at both ends)';
}

function pathSegmentProblem(value: string): string | undefined {
  if (value === '.' || value === '..') return `may not be '${value}'`;
  return /[/%]/.test(value) ? 'may not contain \'/\' or \'%\'' : undefined;
}

/** IsQualifiedName: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'must be a qualified name: [prefix/]name';
  if (parts.length === 2) {
    const prefixProblem = parts[0] === '' ? 'must be non-empty' : dnsSubdomainProblem(parts[0]);
    if (prefixProblem) return `prefix part ${prefixProblem}`;
  }
  const name = parts[parts.length - 1];
  if (name.length === 0 || name.length > 63) return 'name part must be 1 to 63 characters';
  return QUALIFIED_NAME_RE.test(name) ? undefined : `name part must consist of ${ALNUM_ENDS}`;
}

function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return 'must be no more than 63 characters';
  return LABEL_VALUE_RE.test(value) ? undefined : `must be empty or consist of ${ALNUM_ENDS}`;
}

function issueIf(path: string, problem: string | undefined, prefix = ''): Issue[] {
  return problem === undefined ? [] : [{ path, problem: `${prefix}${problem}` }];
}

function nameIssues(name: unknown, rule: NameRule): Issue[] {
  if (typeof name !== 'string') return [];
  if (name === '') return [{ path: '.metadata.name', problem: 'must not be empty' }];
  const problem = rule === 'dns-subdomain' ? dnsSubdomainProblem(name) : rule === 'dns-label' ? dnsLabelProblem(name) : pathSegmentProblem(name);
  return issueIf('.metadata.name', problem);
}

function namespaceIssues(namespace: unknown, scope: Scope): Issue[] {
  const path = '.metadata.namespace';
  if (namespace === undefined) return scope === 'Namespaced' ? [{ path, problem: 'required for a namespaced kind' }] : [];
  if (scope === 'Cluster') return [{ path, problem: 'must not be set for a cluster-scoped kind' }];
  return typeof namespace === 'string' ? issueIf(path, dnsLabelProblem(namespace)) : [];
}

function labelIssues(labels: unknown): Issue[] {
  if (!isObject(labels)) return [];
  return Object.entries(labels).flatMap(([key, value]) => {
    const path = childPath('.metadata.labels', key);
    const valueProblem = typeof value === 'string' ? labelValueProblem(value) : undefined;
    return [...issueIf(path, qualifiedNameProblem(key), 'key '), ...issueIf(path, valueProblem, 'value ')];
  });
}

function annotationIssues(annotations: unknown): Issue[] {
  if (!isObject(annotations)) return [];
  const path = '.metadata.annotations';
  const keys = Object.keys(annotations).flatMap((key) => issueIf(childPath(path, key), qualifiedNameProblem(key.toLowerCase()), 'key '));
  const bytes = Object.entries(annotations).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(String(value)), 0);
  return [...keys, ...issueIf(path, bytes > MAX_ANNOTATIONS_BYTES ? `total size ${bytes} bytes exceeds 256 KiB` : undefined)];
}

/** The semantic ObjectMeta checks that a schema cannot express (the field list and types are in OBJECT_META). */
function metadataIssues(metadata: unknown, kind: Pick<KindSchema, 'scope' | 'nameRule'>): Issue[] {
  if (!isObject(metadata)) return [];
  return [
    ...nameIssues(metadata.name, kind.nameRule),
    ...namespaceIssues(metadata.namespace, kind.scope),
    ...labelIssues(metadata.labels),
    ...annotationIssues(metadata.annotations),
  ];
}

// ---------------------------------------------------------------------------------------------------------------------
// x-kubernetes-validations (CEL) and x-kubernetes-list-type: map, on the published schema

type Visitor = (schema: Schema, value: unknown, path: string) => void;

function propertySchema(schema: Schema, key: string): Schema | undefined {
  const properties = schema.properties;
  if (isObject(properties) && isObject(properties[key])) return properties[key];
  return isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
}

/** Visits every value that has a schema node, depth first, in document order. */
function walk(schema: Schema, value: unknown, path: string, visit: Visitor): void {
  visit(schema, value, path);
  if (Array.isArray(value) && isObject(schema.items)) {
    const items = schema.items;
    value.forEach((item, i) => walk(items, item, childPath(path, i), visit));
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const childSchema = propertySchema(schema, key);
      if (childSchema) walk(childSchema, child, childPath(path, key), visit);
    }
  }
}

/** ValidateListSetsAndMaps: entries of a list-type map must be unique by their keys (defaults applied). */
function listMapIssues(schema: Schema, value: unknown, path: string): Issue[] {
  if (schema['x-kubernetes-list-type'] !== 'map' || !Array.isArray(value)) return [];
  const keys = (schema['x-kubernetes-list-map-keys'] ?? []) as string[];
  const itemSchema = isObject(schema.items) ? schema.items : {};
  const seen = new Set<string>();
  return value.flatMap((item, i) => {
    const id = JSON.stringify(keys.map((key) => (isObject(item) ? item[key] : undefined) ?? propertySchema(itemSchema, key)?.default ?? null));
    const duplicate = seen.has(id);
    seen.add(id);
    return duplicate ? [{ path: childPath(path, i), problem: `duplicate entry for list-map keys (${keys.join(', ')})` }] : [];
  });
}

interface XValidation {
  readonly rule: string;
  readonly message?: string;
  readonly fieldPath?: string;
}

type Program = ReturnType<typeof plan>;

const CEL_ENV = celEnv();
const programs = new Map<string, Program | Error>();

function program(rule: string): Program | Error {
  let compiled = programs.get(rule);
  if (!compiled) {
    try {
      compiled = plan(CEL_ENV, parse(rule));
    } catch (e) {
      compiled = e instanceof Error ? e : new Error(String(e));
    }
    programs.set(rule, compiled);
  }
  return compiled;
}

/** A value as Kubernetes hands it to CEL: objects and maps as maps, integers as int (bigint), numbers as double. */
function toCel(schema: Schema | undefined, value: unknown): CelInput {
  if (Array.isArray(value)) {
    const items = schema && isObject(schema.items) ? schema.items : undefined;
    return value.map((item) => toCel(items, item));
  }
  if (isObject(value)) {
    return new Map(Object.entries(value).map(([key, child]) => [key, toCel(schema && propertySchema(schema, key), child)]));
  }
  if (typeof value === 'number' && Number.isInteger(value) && schema?.type !== 'number') return BigInt(value);
  return value as CelInput;
}

type Outcome = { passed: boolean } | { unevaluated: string };

function evaluateRule(rule: string, schema: Schema, value: unknown): Outcome {
  const compiled = program(rule);
  if (compiled instanceof Error) return { unevaluated: compiled.message };
  const result = compiled({ self: toCel(schema, value) });
  if (isCelError(result)) return { unevaluated: result.message };
  return typeof result === 'boolean' ? { passed: result } : { unevaluated: `rule returned ${typeof result}, not bool` };
}

function xValidations(schema: Schema): XValidation[] {
  const rules = schema['x-kubernetes-validations'];
  return Array.isArray(rules) ? (rules as XValidation[]) : [];
}

/** Evaluates every rule on the values present; when `blocked` (type or enum errors), counts them as not evaluated. */
function celVisitor(result: ObjectResult, blocked: boolean): Visitor {
  return (schema, value, path) => {
    for (const rule of xValidations(schema)) {
      const outcome: Outcome = blocked ? { unevaluated: 'skipped: the object has type or enum errors' } : evaluateRule(rule.rule, schema, value);
      if ('unevaluated' in outcome) {
        result.cel.notEvaluated++;
        result.notes.push({ path, problem: `CEL rule not evaluated (${outcome.unevaluated}): ${rule.rule}` });
        continue;
      }
      result.cel.evaluated++;
      if (!outcome.passed) {
        const rulePath = `${path === '.' ? '' : path}${rule.fieldPath ?? ''}` || '.';
        result.issues.push({ path: rulePath, problem: rule.message ?? `failed rule: ${rule.rule}` });
      }
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// One object

function byPath(a: Issue, b: Issue): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return a.problem < b.problem ? -1 : a.problem > b.problem ? 1 : 0;
}

function schemaFor(registry: SchemaRegistry, object: JsonObject): KindSchema | Issue {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || apiVersion === '') return { path: '.apiVersion', problem: 'required field missing' };
  if (typeof kind !== 'string' || kind === '') return { path: '.kind', problem: 'required field missing' };
  const schema = registry.lookup(apiVersion, kind);
  if (schema?.served) return schema;
  if (schema) return { path: '.apiVersion', problem: `${apiVersion} ${kind} is not served by its CRD` };
  const others = registry.versionsOf(apiVersion, kind);
  return { path: '.', problem: `no schema for ${apiVersion} ${kind}${others.length > 0 ? ` (defined: ${others.join(', ')})` : ''}` };
}

/** Validates one manifest object strictly: schema (unknown fields, types, enums, ...), ObjectMeta, list-maps, CEL. */
export function validateObject(registry: SchemaRegistry, object: unknown): ObjectResult {
  const cel = { evaluated: 0, notEvaluated: 0 };
  if (!isObject(object)) return { issues: [{ path: '.', problem: 'document is not an object' }], notes: [], cel };
  const kind = schemaFor(registry, object);
  if (!('source' in kind)) return { issues: [kind], notes: [], cel };
  const validate = registry.validator(kind);
  validate(object);
  const errors = (validate.errors ?? []).filter((e) => !SUMMARY_KEYWORDS.has(e.keyword));
  const result: ObjectResult = {
    source: kind.source,
    issues: [...errors.map((e) => ajvIssue(e, object)), ...metadataIssues(object.metadata, kind)],
    notes: [],
    cel,
  };
  // Like the API server, skip CEL rules when the object has type or unsupported-value errors.
  const blocked = errors.some((e) => e.keyword === 'type' || e.keyword === 'enum');
  walk(kind.schema, object, '.', (schema, value, path) => result.issues.push(...listMapIssues(schema, value, path)));
  walk(kind.schema, object, '.', celVisitor(result, blocked));
  result.issues.sort(byPath);
  return result;
}

// ---------------------------------------------------------------------------------------------------------------------
// Files

export interface ManifestFile {
  readonly file: string;
  readonly documents: readonly ParsedDocument[];
}

export interface Finding extends Issue {
  readonly file: string;
  /** `<Kind> <namespace>/<name>`, `<Kind> <name>` for cluster-scoped objects, or `document <n>`. */
  readonly object: string;
}

export interface Report {
  readonly files: number;
  objects: number;
  crdObjects: number;
  coreObjects: number;
  readonly findings: Finding[];
  readonly notes: Finding[];
  readonly cel: CelTally;
}

function describe(value: unknown, index: number): string {
  const meta = isObject(value) && isObject(value.metadata) ? value.metadata : {};
  const kind = isObject(value) && typeof value.kind === 'string' ? value.kind : undefined;
  if (kind === undefined || typeof meta.name !== 'string') return `document ${index}`;
  return `${kind} ${typeof meta.namespace === 'string' ? `${meta.namespace}/` : ''}${meta.name}`;
}

function identity(value: unknown): string | undefined {
  if (!isObject(value) || !isObject(value.metadata) || typeof value.metadata.name !== 'string') return undefined;
  return JSON.stringify([value.apiVersion, value.kind, value.metadata.namespace ?? '', value.metadata.name]);
}

/** Reports an object already seen with the same apiVersion, kind, namespace and name. */
function duplicateIssues(seen: Map<string, string>, value: unknown, where: string): Issue[] {
  const id = identity(value);
  if (id === undefined) return [];
  const first = seen.get(id);
  if (first === undefined) {
    seen.set(id, where);
    return [];
  }
  return [{ path: '.', problem: `duplicate object (first defined in ${first})` }];
}

function record(report: Report, file: string, object: string, result: ObjectResult): void {
  report.objects++;
  if (result.source === 'crd') report.crdObjects++;
  if (result.source === 'core') report.coreObjects++;
  report.cel.evaluated += result.cel.evaluated;
  report.cel.notEvaluated += result.cel.notEvaluated;
  report.findings.push(...result.issues.map((issue) => ({ file, object, ...issue })));
  report.notes.push(...result.notes.map((note) => ({ file, object, ...note })));
}

/** Validates every object of every file, in order, and reports objects defined more than once. */
export function validateManifests(registry: SchemaRegistry, files: readonly ManifestFile[]): Report {
  const cel = { evaluated: 0, notEvaluated: 0 };
  const report: Report = { files: files.length, objects: 0, crdObjects: 0, coreObjects: 0, findings: [], notes: [], cel };
  const seen = new Map<string, string>();
  for (const { file, documents } of files) {
    for (const doc of documents) {
      const object = describe(doc.value, doc.index);
      if (doc.error !== undefined) {
        report.findings.push({ file, object, path: '.', problem: `YAML: ${doc.error}` });
        continue;
      }
      const result = validateObject(registry, doc.value);
      const duplicates = duplicateIssues(seen, doc.value, `${file} document ${doc.index}`);
      record(report, file, object, { ...result, issues: [...duplicates, ...result.issues] });
    }
  }
  return report;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function formatFinding(finding: Finding): string {
  return `${finding.file}: ${finding.object}: ${finding.path}: ${finding.problem}`;
}

/** Findings, then notes (`note:`), then one summary line. */
export function formatReport(report: Report): string[] {
  const unmatched = report.objects - report.crdObjects - report.coreObjects;
  const kinds = `${report.crdObjects} against CRD schemas, ${report.coreObjects} core kinds${unmatched > 0 ? `, ${unmatched} without schema` : ''}`;
  const cel = `${plural(report.cel.evaluated, 'CEL rule')} evaluated, ${plural(report.cel.notEvaluated, 'CEL rule')} not evaluated`;
  return [
    ...report.findings.map(formatFinding),
    ...report.notes.map((note) => `note: ${formatFinding(note)}`),
    `validated ${plural(report.objects, 'object')} (${kinds}) in ${plural(report.files, 'file')}: `
      + `${plural(report.findings.length, 'finding')}; ${cel}`,
  ];
}
