import { EstateStack } from './estate';

/**
 * `terraform show -json` of a state (`values.root_module`) or of a saved plan (`planned_values.root_module`), turned into
 * the shape of a cdk.tf.json (`{ resource: { <type>: { <address>: <attributes> } } }`) so that the same rules read
 * both. Managed resources of the root module and every child module count; data sources do not. The format is
 * Terraform's documented JSON output format (format_version 1.x: `internal/command/jsonstate`, `jsonplan`).
 * @internal
 */
export function stackFromTerraformShow(show: any, file: string, text: string): EstateStack {
  const plan = show.planned_values !== undefined;
  const root = (plan ? show.planned_values : show.values)?.root_module ?? {};
  const resource: Record<string, Record<string, any>> = {};
  const lines = new Map<string, number>();
  const visit = (module: any) => {
    for (const r of module?.resources ?? []) {
      if (r?.mode !== 'managed' || typeof r.type !== 'string' || typeof r.address !== 'string') continue;
      resource[r.type] = { ...(resource[r.type] ?? {}), [r.address]: r.values ?? {} };
      const at = text.indexOf(`"address":"${r.address}"`) >= 0 ? text.indexOf(`"address":"${r.address}"`) : text.indexOf(`"${r.address}"`);
      if (at >= 0) lines.set(`${r.type}\u0000${r.address}`, text.slice(0, at).split('\n').length);
    }
    for (const child of module?.child_modules ?? []) visit(child);
  };
  visit(root);
  return { json: { resource }, file, lines, source: plan ? 'terraform show -json (plan)' : 'terraform show -json (state)' };
}
