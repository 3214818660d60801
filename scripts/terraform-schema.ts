// Offline `terraform validate` for synthesized cdk.tf.json: every resource, data source and provider block is checked
// against provider schemas extracted from the providers' source (upstream/tf-providers, see its PROVENANCE.md): unknown
// and missing attributes, read-only attributes, types (with Terraform's JSON conversions), each attribute's validator,
// ConflictsWith / ExactlyOneOf / AtLeastOneOf / RequiredWith, min/max items, and values whose form differs from what
// the provider reads back from Vault (a diff on every plan). Values holding `${...}` are unknown until apply: like the
// SDK, their value checks are skipped, but they still count as set.

type Json = Record<string, unknown>;

export interface ValidatorSpec {
  readonly kind: string;
  readonly values?: string[];
  readonly ignoreCase?: boolean;
  readonly emptyAcceptsAll?: boolean;
  readonly schemes?: string[];
  readonly min?: number;
}

export interface ReadForm {
  readonly vaultReturns?: string;
  readonly stateForm?: string;
  readonly diffSuppress?: string | null;
}

export interface AttributeSchema {
  readonly type: 'string' | 'int' | 'float' | 'bool' | 'list' | 'set' | 'map' | 'dynamic';
  readonly required: boolean;
  readonly optional: boolean;
  readonly computed: boolean;
  /** A change of the attribute replaces the resource (the provider's ForceNew). */
  readonly forceNew?: boolean;
  readonly conflictsWith?: string[];
  readonly exactlyOneOf?: string[];
  readonly atLeastOneOf?: string[];
  readonly requiredWith?: string[];
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly validators?: ValidatorSpec[];
  readonly elem?: { readonly type: string; readonly validators?: ValidatorSpec[] };
  readonly block?: BlockSchema;
  readonly readForm?: ReadForm;
}

export interface BlockSchema {
  readonly attributes: Record<string, AttributeSchema>;
}

export interface ProviderSchema {
  readonly meta: { readonly provider: string; readonly version: string };
  readonly validatorKinds: Record<string, { readonly jsRegex?: string }>;
  readonly provider: BlockSchema;
  readonly resources: Record<string, BlockSchema>;
  readonly dataSources: Record<string, BlockSchema>;
}

export interface TerraformFinding {
  /** `vault_pki_secret_backend_role.pki_tenant_x_role`, `provider.vault[0]`, `terraform.required_providers.vault`. */
  readonly address: string;
  /** Attribute path inside it (`not_before_duration`, `tune.0.default_lease_ttl`), '' for the block itself. */
  readonly path: string;
  readonly problem: string;
}

/**
 * Terraform's built-in provider `terraform.io/builtin/terraform` (no download, no provider block): its `terraform_data`
 * resource, as Terraform v1.11.4 declares it (internal/builtin/providers/terraform/resource_data.go,
 * `dataStoreResourceSchema`: `input` and `triggers_replace` optional of any type, `output` and `id` computed).
 */
export const BUILTIN_TERRAFORM_SCHEMA: ProviderSchema = {
  meta: { provider: 'terraform.io/builtin/terraform', version: '1.11.4' },
  validatorKinds: {},
  provider: { attributes: {} },
  resources: {
    terraform_data: {
      attributes: {
        input: { type: 'dynamic', required: false, optional: true, computed: false },
        triggers_replace: { type: 'dynamic', required: false, optional: true, computed: false },
        output: { type: 'dynamic', required: false, optional: false, computed: true },
        id: { type: 'string', required: false, optional: false, computed: true },
      },
    },
  },
  dataSources: {},
};

/** Meta-arguments Terraform accepts on every provider block. */
const PROVIDER_META_ARGUMENTS = new Set(['alias', 'version']);

/** Meta-arguments Terraform accepts on every resource and data source, and cdktf's metadata key. */
const META_ARGUMENTS = new Set(['count', 'for_each', 'depends_on', 'lifecycle', 'provider', 'provisioner', 'connection', '//']);

/** A string Terraform will only know at apply time (an interpolation or template directive that is not escaped). */
export function isUnknown(value: unknown): boolean {
  return typeof value === 'string' && /(^|[^$%])[$%]\{/.test(value);
}

/** Go's time.Duration.String() followed by the provider's util.ShortDur (drops a trailing `0s`, then `0m`). */
export function goShortDuration(totalSeconds: number): string {
  if (totalSeconds === 0) return '0s';
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  let text = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
  if (text.endsWith('m0s')) text = text.slice(0, -2);
  if (text.endsWith('h0m')) text = text.slice(0, -2);
  return text;
}

/** Seconds of a Go duration made only of h/m/s components, or undefined when it has finer units or fractions. */
export function goDurationSeconds(text: string): number | undefined {
  const match = /^((\d+)h)?((\d+)m)?((\d+)s)?$/.exec(text);
  if (!match || text === '') return undefined;
  return Number(match[2] ?? 0) * 3600 + Number(match[4] ?? 0) * 60 + Number(match[6] ?? 0);
}

/**
 * The read-back rule of an attribute: the form its value must have so that the state the provider writes after a Read
 * equals the configuration (otherwise every plan shows a diff). Undefined when any form is stable.
 */
function readFormProblem(readForm: ReadForm | undefined, value: unknown): string | undefined {
  if (!readForm || readForm.diffSuppress || value === undefined || isUnknown(value)) return undefined;
  const form = readForm.stateForm ?? '';
  const text = typeof value === 'number' ? String(value) : value;
  if (/seconds as string/.test(form)) {
    return typeof text === 'string' && /^\d+$/.test(text) ? undefined
      : `'${String(value)}' comes back from Vault as whole seconds (${readForm.vaultReturns}): every plan would show a diff; write the seconds, e.g. '86400'`;
  }
  if (/ShortDur/.test(form)) {
    const seconds = typeof text === 'string' ? goDurationSeconds(text) : undefined;
    const canonical = seconds === undefined ? undefined : goShortDuration(seconds);
    return canonical !== undefined && canonical === text ? undefined
      : `'${String(value)}' is read back in Go's short form (${form})${canonical ? `: write '${canonical}'` : ''}; any other spelling is a diff on every plan`;
  }
  if (/^int seconds/.test(form)) {
    return typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value)) ? undefined
      : `'${String(value)}' is read back as integer seconds: write a number of seconds`;
  }
  return undefined;
}

/** Go's url.ParseRequestURI, as far as the JSON can tell: an absolute URI `scheme:...` or an absolute path. */
function parseRequestUri(text: string): { scheme: string } | undefined {
  if (text.startsWith('/')) return { scheme: '' };
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/.exec(text);
  if (!match) return undefined;
  const rest = match[2];
  if (rest.startsWith('//')) {
    const authority = rest.slice(2).split('/')[0];
    if (/[\s]/.test(authority) || authority.includes('%') && !/%[0-9A-Fa-f]{2}/.test(authority)) return undefined;
  }
  return { scheme: match[1] };
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) return false;
  if (parts.length === 2) {
    const prefix = parts[0];
    return prefix.length > 0 && prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix);
  }
  return true;
}

export class TerraformSchemaChecker {
  private readonly providers: ProviderSchema[];

  constructor(providers: ProviderSchema[]) {
    // Terraform's built-in provider needs no schema file: every configuration can use it.
    this.providers = [...providers, BUILTIN_TERRAFORM_SCHEMA];
  }

  /** Every finding in one synthesized `cdk.tf.json` (parsed). */
  public check(config: Json): TerraformFinding[] {
    const findings: TerraformFinding[] = [];
    const add = (address: string, path: string, problem: string) => findings.push({ address, path, problem });

    const required = ((config.terraform as Json | undefined)?.required_providers ?? {}) as Record<string, Json>;
    for (const [name, spec] of Object.entries(required)) {
      const schema = this.providerNamed(name);
      if (!schema) continue;
      if (spec.version !== schema.meta.version) {
        add(`terraform.required_providers.${name}`, 'version',
          `pins '${String(spec.version)}', but the schema checked against is ${schema.meta.provider} ${schema.meta.version}: pin exactly that version`);
      }
    }

    for (const [name, blocks] of Object.entries((config.provider ?? {}) as Record<string, unknown>)) {
      const schema = this.providerNamed(name);
      if (!schema) {
        add(`provider.${name}`, '', 'no schema for this provider: it cannot be checked');
        continue;
      }
      (Array.isArray(blocks) ? blocks : [blocks]).forEach((block, i) => {
        const body = Object.fromEntries(Object.entries(block as Json).filter(([k]) => !PROVIDER_META_ARGUMENTS.has(k)));
        this.checkBlock(`provider.${name}[${i}]`, schema, schema.provider, body, add);
      });
    }

    for (const [section, kind] of [['resource', 'resources'], ['data', 'dataSources']] as const) {
      for (const [type, instances] of Object.entries((config[section] ?? {}) as Record<string, Record<string, Json>>)) {
        const schema = this.providerFor(type);
        const block = schema?.[kind][type];
        for (const [id, body] of Object.entries(instances)) {
          const address = `${section === 'data' ? 'data.' : ''}${type}.${id}`;
          if (!schema || !block) {
            add(address, '', `unknown ${section === 'data' ? 'data source' : 'resource'} type '${type}' in the provider schemas`);
            continue;
          }
          this.checkBlock(address, schema, block, body, add);
        }
      }
    }
    return findings;
  }

  private providerNamed(name: string): ProviderSchema | undefined {
    return this.providers.find((p) => p.meta.provider.endsWith(`/${name}`));
  }

  private providerFor(type: string): ProviderSchema | undefined {
    return this.providerNamed(type.split('_')[0]);
  }

  private checkBlock(address: string, provider: ProviderSchema, schema: BlockSchema, body: Json,
    add: (address: string, path: string, problem: string) => void, prefix = '', root: Json = body): void {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      add(address, prefix.replace(/\.$/, ''), 'must be an object');
      return;
    }
    for (const [name, value] of Object.entries(body)) {
      if (prefix === '' && META_ARGUMENTS.has(name)) continue;
      const attribute = schema.attributes[name];
      const path = `${prefix}${name}`;
      if (!attribute) {
        add(address, path, 'unknown attribute (not in the provider schema)');
        continue;
      }
      if (value === null || value === undefined) continue;
      if (attribute.computed && !attribute.optional && !attribute.required) {
        add(address, path, 'is read-only (computed): it cannot be set');
        continue;
      }
      this.checkValue(address, provider, path, attribute, value, add, root);
      const problem = readFormProblem(attribute.readForm, value);
      if (problem) add(address, path, problem);
      for (const other of attribute.conflictsWith ?? []) {
        if (isSet(root, other)) add(address, path, `conflicts with '${other}': set only one of them`);
      }
      for (const other of attribute.requiredWith ?? []) {
        if (!isSet(root, other)) add(address, path, `requires '${other}' to be set too`);
      }
    }
    for (const [name, attribute] of Object.entries(schema.attributes)) {
      const path = `${prefix}${name}`;
      const present = body[name] !== undefined && body[name] !== null;
      if (attribute.required && !present) add(address, path, 'is required but missing');
      if (attribute.exactlyOneOf && present) {
        const set = attribute.exactlyOneOf.filter((p) => isSet(root, p));
        if (set.length !== 1) add(address, path, `exactly one of ${attribute.exactlyOneOf.join(', ')} must be set (set: ${set.join(', ')})`);
      }
    }
    // AtLeastOneOf / ExactlyOneOf groups: checked once per group, whether or not any member is present.
    const groups = new Map<string, { kind: 'atLeastOneOf' | 'exactlyOneOf'; members: string[] }>();
    for (const attribute of Object.values(schema.attributes)) {
      for (const kind of ['atLeastOneOf', 'exactlyOneOf'] as const) {
        const members = attribute[kind];
        if (members) groups.set(`${kind}:${[...members].sort().join(',')}`, { kind, members });
      }
    }
    for (const { kind, members } of groups.values()) {
      const set = members.filter((p) => isSet(root, p));
      if (set.length === 0) add(address, prefix.replace(/\.$/, ''), `${kind === 'atLeastOneOf' ? 'at least' : 'exactly'} one of ${members.join(', ')} must be set`);
    }
  }

  private checkValue(address: string, provider: ProviderSchema, path: string, attribute: AttributeSchema, value: unknown,
    add: (address: string, path: string, problem: string) => void, root: Json): void {
    if (isUnknown(value) || attribute.type === 'dynamic') return;
    switch (attribute.type) {
      case 'list':
      case 'set': {
        if (attribute.block) {
          const items = Array.isArray(value) ? value : [value];
          this.checkCount(address, path, attribute, items.length, add);
          items.forEach((item, i) => this.checkBlock(address, provider, attribute.block!, item as Json, add, `${path}.${i}.`, root));
          return;
        }
        if (!Array.isArray(value)) {
          add(address, path, `must be a ${attribute.type} (JSON array), got ${describe(value)}`);
          return;
        }
        this.checkCount(address, path, attribute, value.length, add);
        if (attribute.type === 'set' && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) {
          add(address, path, 'is a set: duplicate elements collapse, so the plan never matches the configuration');
        }
        value.forEach((item, i) => this.checkPrimitive(address, provider, `${path}.${i}`, attribute.elem?.type ?? 'string', attribute.elem?.validators, item, add));
        return;
      }
      case 'map': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          add(address, path, `must be a map (JSON object), got ${describe(value)}`);
          return;
        }
        for (const [k, v] of Object.entries(value as Json)) {
          this.checkPrimitive(address, provider, `${path}.${k}`, attribute.elem?.type ?? 'string', attribute.elem?.validators, v, add);
        }
        this.runValidators(address, provider, path, attribute.validators, value, add);
        return;
      }
      default:
        this.checkPrimitive(address, provider, path, attribute.type, attribute.validators, value, add);
    }
  }

  private checkCount(address: string, path: string, attribute: AttributeSchema, count: number,
    add: (address: string, path: string, problem: string) => void): void {
    if (attribute.minItems !== undefined && count < attribute.minItems) add(address, path, `needs at least ${attribute.minItems} item(s), has ${count}`);
    if (attribute.maxItems !== undefined && count > attribute.maxItems) add(address, path, `takes at most ${attribute.maxItems} item(s), has ${count}`);
  }

  private checkPrimitive(address: string, provider: ProviderSchema, path: string, type: string, validators: ValidatorSpec[] | undefined,
    value: unknown, add: (address: string, path: string, problem: string) => void): void {
    if (isUnknown(value) || value === null) return;
    let converted: unknown = value;
    switch (type) {
      case 'string':
        if (typeof value === 'number' || typeof value === 'boolean') converted = String(value);
        else if (typeof value !== 'string') return add(address, path, `must be a string, got ${describe(value)}`);
        break;
      case 'int':
      case 'float': {
        const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        if (typeof n !== 'number' || !Number.isFinite(n)) return add(address, path, `must be a number, got ${describe(value)}`);
        if (type === 'int' && !Number.isInteger(n)) return add(address, path, `must be a whole number, got ${String(value)}`);
        converted = n;
        break;
      }
      case 'bool':
        if (value === 'true' || value === 'false') converted = value === 'true';
        else if (typeof value !== 'boolean') return add(address, path, `must be a bool, got ${describe(value)}`);
        break;
      default:
        return add(address, path, `has an element type '${type}' this checker does not know`);
    }
    this.runValidators(address, provider, path, validators, converted, add);
  }

  private runValidators(address: string, provider: ProviderSchema, path: string, validators: ValidatorSpec[] | undefined, value: unknown,
    add: (address: string, path: string, problem: string) => void): void {
    for (const v of validators ?? []) {
      const problem = validatorProblem(v, provider.validatorKinds[v.kind]?.jsRegex, value);
      if (problem) add(address, path, problem);
    }
  }
}

/** The problem `value` has under validator `v` (whose kind's exact regex, when the schema gives one, is `jsRegex`). */
export function validatorProblem(v: ValidatorSpec, jsRegex: string | undefined, value: unknown): string | undefined {
  const text = typeof value === 'string' ? value : undefined;
  switch (v.kind) {
    case 'duration':
    case 'noLeadingTrailingSlashes':
    case 'noTrailingSlash':
    case 'semver': {
      if (text === undefined || !jsRegex) return text === undefined ? `must be a string (${v.kind})` : undefined;
      if (new RegExp(jsRegex, 'u').test(text)) return undefined;
      return {
        duration: `'${text}' is not a Go duration (time.ParseDuration needs a unit, e.g. '30s', '1h'); the provider's ValidateDuration rejects it`,
        noLeadingTrailingSlashes: `'${text}' must be non-empty without a leading or trailing '/'`,
        noTrailingSlash: `'${text}' must be non-empty without a trailing '/'`,
        semver: `'${text}' is not a semantic version`,
      }[v.kind];
    }
    case 'stringInSlice': {
      const values = v.values ?? [];
      if (values.length === 0 && v.emptyAcceptsAll) return undefined;
      const ok = text !== undefined && values.some((c) => (v.ignoreCase ? c.toLowerCase() === text.toLowerCase() : c === text));
      return ok ? undefined : `'${String(value)}' is not one of ${values.map((c) => `'${c}'`).join(', ')}`;
    }
    case 'uri': {
      const parsed = text === undefined ? undefined : parseRequestUri(text);
      if (!parsed) return `'${String(value)}' is not an absolute URI`;
      const schemes = v.schemes ?? [];
      return schemes.length === 0 || schemes.includes(parsed.scheme) ? undefined : `'${text}' must use one of the schemes ${schemes.join(', ')}`;
    }
    case 'k8sName':
      return text !== undefined && text.length <= 253 && DNS_SUBDOMAIN.test(text) ? undefined : `'${String(value)}' is not a DNS-1123 subdomain`;
    case 'k8sGenerateName': {
      const t = text !== undefined && text.length > 1 && text.endsWith('-') ? `${text.slice(0, -1)}a` : text;
      return t !== undefined && t.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(t) ? undefined : `'${String(value)}' is not a valid generate_name`;
    }
    case 'k8sLabels':
    case 'k8sAnnotations': {
      const map = (value ?? {}) as Record<string, unknown>;
      for (const [key, val] of Object.entries(map)) {
        const k = v.kind === 'k8sAnnotations' ? key.toLowerCase() : key;
        if (!isQualifiedName(k)) return `key '${key}' is not a qualified name`;
        if (v.kind === 'k8sLabels' && (typeof val !== 'string' || val.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(val))) {
          return `label value '${String(val)}' of '${key}' is not a valid label value`;
        }
      }
      return undefined;
    }
    case 'base64Map': {
      for (const [key, val] of Object.entries((value ?? {}) as Record<string, unknown>)) {
        if (typeof val !== 'string' || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(val)) return `value of '${key}' is not base64`;
      }
      return undefined;
    }
    case 'intAtLeast':
      return typeof value === 'number' && value >= (v.min ?? 0) ? undefined : `'${String(value)}' must be at least ${v.min}`;
    case 'stringIsValidRegExp':
      try {
        new RegExp(text ?? '');
        return undefined;
      } catch {
        return `'${String(value)}' is not a valid regular expression`;
      }
    case 'warnIfEquals':
    case 'gcpCredentials':
    case 'fileExists':
    case 'krbNegToken':
      return undefined; // warnings only, or not checkable offline (see PROVENANCE.md)
    default:
      return `uses validator '${v.kind}', which this checker does not implement`;
  }
}

/** Whether the SDK path `a`, `a.0.b` names a set (non-null) value in `root`. */
function isSet(root: Json, sdkPath: string): boolean {
  let current: unknown = root;
  for (const part of sdkPath.split('.')) {
    if (current === null || current === undefined) return false;
    if (/^\d+$/.test(part)) {
      current = Array.isArray(current) ? current[Number(part)] : Number(part) === 0 ? current : undefined;
    } else {
      current = (current as Json)[part];
    }
  }
  return current !== null && current !== undefined;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
