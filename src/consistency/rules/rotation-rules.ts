import { PkiNames } from '../../core/names';
import { RotationGuardInput, RotationIds, rotationConditions } from '../../core/rotation-conditions';
import { ConsistencyFindingKind, ConsistencyRule } from '../consistency-rule';
import { OutputIndex, TerraformResource } from '../output-index';

/** Every CA's rotation guard by mount path, with the input it recorded. */
function guards(index: OutputIndex): Map<string, { resource: TerraformResource; input: RotationGuardInput }> {
  const found = new Map<string, { resource: TerraformResource; input: RotationGuardInput }>();
  for (const r of index.resources('terraform_data')) {
    const input = r.body.input;
    if (r.id.endsWith('_rotation_guard') && typeof input?.mount === 'string' && Array.isArray(input.generations)) {
      found.set(input.mount, { resource: r, input });
    }
  }
  return found;
}

/** The mount a Terraform resource's `backend` names. */
const backendOf = (index: OutputIndex, r: TerraformResource) => String(index.resolve(r.stack, r.body.backend));

export const ROTATION_RULES: ConsistencyRule[] = [
  {
    id: ConsistencyFindingKind.ROLE_ISSUER,
    description: "Every Vault role signs with its mount's default issuer, which the Terraform sets (config_issuers) to an issuer of that mount " +
      'allowed to issue',
    check(index, report) {
      const defaults = new Map<string, { stack: number; body: any }[]>();
      for (const r of index.resources('vault_pki_secret_backend_config_issuers')) {
        const mount = String(index.resolve(r.stack, r.body.backend));
        defaults.set(mount, [...(defaults.get(mount) ?? []), r]);
      }
      const checkedMounts = new Map<string, string | undefined>();
      /** What is wrong with the default issuer of `mount` (undefined when it is right, or when the mount is not in these stacks). */
      const mountProblem = (mount: string): string | undefined => {
        if (checkedMounts.has(mount)) return checkedMounts.get(mount);
        let problem: string | undefined;
        const set = defaults.get(mount) ?? [];
        if (set.length === 0) {
          if (index.pkiMount(mount)) problem = `mount '${mount}' has no default issuer in the Terraform (vault_pki_secret_backend_config_issuers)`;
        } else if (set.length > 1) {
          problem = `mount '${mount}' has ${set.length} vault_pki_secret_backend_config_issuers; they overwrite each other's default`;
        } else {
          const target = index.referenced(set[0].stack, set[0].body.default);
          const issuer = target?.resource.type === 'vault_pki_secret_backend_issuer' && target.attribute === 'issuer_id' ? target.resource : undefined;
          if (!issuer) {
            problem = `the default issuer of mount '${mount}' (${set[0].body.default}) is not the issuer_id of a vault_pki_secret_backend_issuer in the Terraform`;
          } else if (String(index.resolve(issuer.stack, issuer.body.backend)) !== mount) {
            problem = `the default issuer of mount '${mount}' is issuer '${issuer.body.issuer_name}' of another mount`;
          } else if (!String(issuer.body.usage ?? '').split(',').includes('issuing-certificates')) {
            problem = `the default issuer of mount '${mount}' is '${issuer.body.issuer_name}', whose usage (${issuer.body.usage}) does not include ` +
              "'issuing-certificates': every signature would fail";
          } else if (set[0].body.default_follows_latest_issuer !== false) {
            problem = `mount '${mount}' lets the default issuer follow the latest import (default_follows_latest_issuer is not false): ` +
              'preparing a generation would switch to it';
          }
        }
        checkedMounts.set(mount, problem);
        return problem;
      };
      for (const r of index.resources('vault_pki_secret_backend_role')) {
        const mount = String(index.resolve(r.stack, r.body.backend));
        const object = `VaultRole ${mount}/${index.resolve(r.stack, r.body.name)}`;
        const ref = r.body.issuer_ref ?? PkiNames.DEFAULT_ISSUER_REF;
        if (ref !== PkiNames.DEFAULT_ISSUER_REF) {
          report(object, `signs with issuer '${ref}' instead of the mount's default issuer ('${PkiNames.DEFAULT_ISSUER_REF}'): a rotation switches ` +
            'the default, so this role would stay on the old generation until it is retired, and then fail');
        }
        const problem = mountProblem(mount);
        if (problem) report(object, problem);
      }
    },
  },
  {
    id: ConsistencyFindingKind.ROTATION_GUARD,
    description: 'Every CA mount carries its rotation guard, with exactly the plan-time preconditions its recorded generations call for, and ' +
      'the records of when each generation was prepared and drained',
    check(index, report) {
      const byMount = guards(index);
      const ids = new Set(index.resources('terraform_data').map((r) => r.id));
      for (const mount of index.resources('vault_mount')) {
        if (mount.body.type !== 'pki') continue;
        const path = String(index.resolve(mount.stack, mount.body.path));
        const object = `VaultMount ${path}`;
        const guard = byMount.get(path);
        if (!guard) {
          report(object, 'has no rotation guard (terraform_data.<ca>_rotation_guard): terraform plan would not refuse a skipped rotation phase, ' +
            'a cut waiting time or a retired generation coming back; restore the guard the library emits');
          continue;
        }
        const expected = rotationConditions(guard.input);
        const actual: { condition: string; error_message: string }[] = guard.resource.body.lifecycle?.precondition ?? [];
        const text = (c: { condition: string; error_message: string }) => `${c.condition}\u0000${c.error_message}`;
        const have = new Set(actual.map(text));
        const missing = expected.filter((c) => !have.has(text(c)));
        if (missing.length > 0 || actual.length !== expected.length) {
          report(object, `its rotation guard has ${actual.length} precondition(s) where its generations call for ${expected.length}` +
            `${missing.length > 0 ? `; missing or changed: ${missing.map((c) => `'${c.error_message.split(':')[0]}'`).join(', ')}` : ''}: ` +
            'an escape hatch changed what terraform plan checks; restore the guard the library emits');
        }
        for (const g of guard.input.generations) {
          const needed = [RotationIds.prepared(guard.input.prefix, g.generation),
            ...(g.state === 'draining' || g.state === 'retired' ? [RotationIds.draining(guard.input.prefix, g.generation)] : [])];
          for (const id of needed.filter((n) => !ids.has(n))) {
            report(object, `generation ${g.generation} has no record terraform_data.${id}: its guard would compare the real clock with nothing`);
          }
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.ROTATION_DEFAULT_ISSUER,
    description: "Every CA mount's default issuer (config_issuers) is its ACTIVE generation's issuer, as its rotation guard records it",
    check(index, report) {
      for (const [mount, { input }] of guards(index)) {
        for (const r of index.resources('vault_pki_secret_backend_config_issuers').filter((c) => backendOf(index, c) === mount)) {
          const target = index.referenced(r.stack, r.body.default)?.resource;
          const name = target?.type === 'vault_pki_secret_backend_issuer' ? String(index.resolve(target.stack, target.body.issuer_name)) : String(r.body.default);
          if (name !== input.active) {
            const state = input.generations.find((g) => g.name === name)?.state;
            report(`VaultMount ${mount}`, `its default issuer is '${name}'${state ? ` (${state.toUpperCase()})` : ''}, not the ACTIVE generation ` +
              `'${input.active}': every role of the mount would sign with it; remove the override (make a generation ACTIVE in the program instead)`);
          }
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.ROTATION_SIGNATURE,
    description: "Every intermediate generation is signed with path length 0 and exactly its intermediate's domains as name constraints, " +
      "never with the CSR's values",
    check(index, report) {
      const byMount = guards(index);
      for (const r of index.resources('vault_pki_secret_backend_root_sign_intermediate')) {
        const csr = index.referenced(r.stack, r.body.csr)?.resource;
        if (!csr) continue;
        const mount = backendOf(index, csr);
        const guard = byMount.get(mount);
        if (!guard || guard.input.domains.length === 0) continue;
        const object = `VaultSignature ${mount}/${String(index.resolve(r.stack, r.body.common_name))}`;
        if (r.body.max_path_length !== 0) {
          report(object, `max_path_length is ${r.body.max_path_length ?? 'unset (-1: any depth)'}, not 0: the intermediate could sign CAs; set it to 0`);
        }
        const domains = [...(Array.isArray(r.body.permitted_dns_domains) ? r.body.permitted_dns_domains : [])].map(String).sort();
        if (JSON.stringify(domains) !== JSON.stringify([...guard.input.domains].sort())) {
          report(object, `permitted_dns_domains (${domains.join(', ') || 'none'}) are not the intermediate's domains (${guard.input.domains.join(', ')}): ` +
            'its name constraints would let it sign names outside them; restore them');
        }
        if (r.body.use_csr_values === true) {
          report(object, "use_csr_values is true: the CSR's subject and extensions would be used instead of the library's; set it to false");
        }
      }
    },
  },
];
