import { PkiNames } from '../../core/names';
import { ConsistencyFindingKind, ConsistencyRule } from '../consistency-rule';

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
];
