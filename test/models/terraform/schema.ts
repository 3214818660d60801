/**
 * Provider schemas as far as the plan needs them: which attributes are ForceNew, which are computed, and their types.
 * Read from the vendored extracts upstream/tf-providers/vault-5.6.0.schema.json and kubernetes-2.38.0.schema.json
 * (`resources.<type>.attributes.<name>.{forceNew, computed, optional, type, default, block}`), plus the built-in
 * `terraform_data` (internal/builtin/providers/terraform/resource_data.go at v1.11.4: `triggers_replace` forces
 * replacement, `input` updates in place, `output` and `id` are computed).
 */
import * as fs from 'fs';
import * as path from 'path';

export interface AttributeSchema {
  readonly type: string;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly forceNew?: boolean;
  readonly default?: unknown;
  readonly maxItems?: number;
  readonly block?: { readonly attributes: Record<string, AttributeSchema> };
}

export interface ResourceSchema {
  readonly attributes: Record<string, AttributeSchema>;
}

const ROOT = path.join(__dirname, '..', '..', '..', 'upstream', 'tf-providers');

let cache: { resources: Record<string, ResourceSchema>; dataSources: Record<string, ResourceSchema> } | undefined;

const TERRAFORM_DATA: ResourceSchema = {
  attributes: {
    id: { type: 'string', computed: true },
    input: { type: 'dynamic', optional: true },
    output: { type: 'dynamic', computed: true },
    triggers_replace: { type: 'dynamic', optional: true, forceNew: true },
  },
};

function load(): NonNullable<typeof cache> {
  if (!cache) {
    const resources: Record<string, ResourceSchema> = { terraform_data: TERRAFORM_DATA };
    const dataSources: Record<string, ResourceSchema> = {
      terraform_remote_state: {
        attributes: {
          backend: { type: 'string', required: true },
          config: { type: 'dynamic', optional: true },
          defaults: { type: 'dynamic', optional: true },
          workspace: { type: 'string', optional: true },
          outputs: { type: 'dynamic', computed: true },
        },
      },
    };
    for (const f of ['vault-5.6.0.schema.json', 'kubernetes-2.38.0.schema.json']) {
      const doc = JSON.parse(fs.readFileSync(path.join(ROOT, f), 'utf8')) as {
        resources: Record<string, ResourceSchema>; dataSources: Record<string, ResourceSchema>;
      };
      Object.assign(resources, doc.resources);
      Object.assign(dataSources, doc.dataSources);
    }
    cache = { resources, dataSources };
  }
  return cache;
}

export function resourceSchema(type: string, mode: 'managed' | 'data' = 'managed'): ResourceSchema | undefined {
  const s = load();
  return mode === 'managed' ? s.resources[type] : s.dataSources[type];
}

/** Every resource has a computed `id` (SDKv2 adds it); the vendored extracts list only declared attributes. */
export function computedAttributes(type: string, mode: 'managed' | 'data' = 'managed'): Array<[string, AttributeSchema]> {
  const s = resourceSchema(type, mode);
  const out: Array<[string, AttributeSchema]> = [['id', { type: 'string', computed: true }]];
  for (const [k, a] of Object.entries(s?.attributes ?? {})) if (a.computed && k !== 'id') out.push([k, a]);
  return out;
}
