/**
 * What each Terraform resource of provider hashicorp/vault 5.6.0 does to Vault on Create / Update / Delete, and what
 * its Read reports (refresh). Followed at tag v5.6.0 (commit bcb1be4983c816359dbdf9956ccf384fefb62cd0):
 * - vault/resource_mount.go — Create mounts, Delete unmounts (and with it every key, issuer, role, certificate);
 * - vault/resource_pki_secret_backend_root_cert.go — Create POSTs <backend>/issuers/generate/root/<type> (ID
 *   `<backend>/issuer/<issuer_id>`); Delete DELETEs that ID: it deletes the issuer (the key stays);
 * - vault/resource_pki_secret_backend_intermediate_cert_request.go — Create generates a key and a CSR; Delete does nothing;
 * - vault/resource_pki_secret_backend_root_sign_intermediate.go — Create signs the CSR with `issuer_ref` (or the
 *   mount's default); Update does nothing (every other argument is ForceNew; `revoke` is only recorded); Delete is
 *   pkiSecretBackendCertDelete (resource_pki_secret_backend_cert.go): when `revoke` is true IN THE PRIOR STATE it
 *   POSTs <backend>/revoke with the state's serial_number;
 * - vault/resource_pki_secret_backend_intermediate_set_signed.go — Create POSTs intermediate/set-signed and records
 *   imported_issuers / imported_keys; Delete does nothing;
 * - vault/resource_pki_secret_backend_issuer.go — Create fails with "no issuer found" unless issuer_ref exists, then
 *   writes the configured fields (issuer_name, usage, leaf_not_after_behavior, ...); Update patches changed fields;
 *   Delete DELETEs <backend>/issuer/<issuer_ref>; Read clears the ID (resource gone) when the issuer no longer exists;
 * - vault/resource_pki_secret_backend_config_issuers.go — Create and Update POST config/issuers with `default` and
 *   `default_follows_latest_issuer`; Delete does nothing; Read sets `default` to what Vault reports (an issuer ID);
 * - vault/resource_pki_secret_backend_role.go — Create/Update write roles/<name> with issuer_ref; Delete removes it;
 * - vault/resource_generic_endpoint.go — Create/Update write data_json to path (here: <root mount>/revoke); Delete does
 *   nothing with disable_delete.
 * Other resources (policies, auth backends and roles, config_urls, crl_config, auto-tidy, Kubernetes objects) do not
 * change the PKI state the model tracks.
 */
import * as v from './vault';
import type { Value } from '../terraform/expr';
import type { Executor, StateObject } from '../terraform/model';

function str(x: Value | undefined): string {
  return typeof x === 'string' ? x : x === null || x === undefined ? '' : String(x);
}

/** `cert:<serial>` is how the model carries a PEM certificate through Terraform values. */
export function certValue(serial: string): string {
  return `cert:${serial}`;
}

export function serialOfCert(pem: string): string {
  return pem.startsWith('cert:') ? pem.slice(5) : pem;
}

/** An executor for Model 1 that performs each operation on the Vault model held by `box`. */
export function vaultExecutor(box: { vault: v.VaultState }): Executor {
  return (op, ctx): Record<string, Value> | void => {
    const val = ctx.values;
    const prior = ctx.prior?.values ?? {};
    const isCreate = op.kind === 'create';
    switch (op.type) {
      case 'vault_mount': {
        if (isCreate) box.vault = v.enableMount(box.vault, str(val.path));
        if (op.kind === 'delete') box.vault = v.disableMount(box.vault, str(prior.path));
        return { accessor: `accessor-${str(val.path)}` };
      }
      case 'vault_pki_secret_backend_root_cert': {
        if (isCreate) {
          const g = v.generateRoot(box.vault, str(val.backend), {
            commonName: str(val.common_name), keyName: str(val.key_name) || undefined, issuerName: str(val.issuer_name) || undefined,
          });
          box.vault = g.state;
          return { issuer_id: g.issuerId, key_id: g.keyId, serial_number: g.serial, certificate: certValue(g.serial), issuing_ca: certValue(g.serial), id: `${str(val.backend)}/issuer/${g.issuerId}` };
        }
        if (op.kind === 'delete') box.vault = v.deleteIssuer(box.vault, str(prior.backend), str(prior.issuer_id)).state;
        return;
      }
      case 'vault_pki_secret_backend_intermediate_cert_request': {
        if (isCreate) {
          const opts = { commonName: str(val.common_name), keyName: str(val.key_name) || undefined };
          const r = v.generateIntermediateCsr(box.vault, str(val.backend), opts);
          box.vault = r.state;
          return { csr: r.csr, key_id: r.keyId, private_key: '', private_key_type: 'ec' };
        }
        return;
      }
      case 'vault_pki_secret_backend_root_sign_intermediate': {
        if (isCreate) {
          const r = v.signIntermediate(box.vault, str(val.backend), str(val.issuer_ref) || 'default', str(val.csr), str(val.common_name));
          box.vault = r.state;
          const chain = v.chainOf(box.vault, r.serial).map((c) => certValue(c.serial));
          return { certificate: certValue(r.serial), serial_number: r.serial, issuing_ca: chain[1] ?? '', ca_chain: chain.slice(1), certificate_bundle: chain.join('\n') };
        }
        if (op.kind === 'delete' && prior.revoke === true) box.vault = v.revoke(box.vault, str(prior.backend), str(prior.serial_number));
        return;
      }
      case 'vault_pki_secret_backend_intermediate_set_signed': {
        if (isCreate) {
          const r = v.setSigned(box.vault, str(val.backend), serialOfCert(str(val.certificate)));
          box.vault = r.state;
          return { imported_issuers: r.importedIssuers, imported_keys: r.importedKeys };
        }
        return;
      }
      case 'vault_pki_secret_backend_issuer': {
        if (isCreate || op.kind === 'update') {
          const backend = str(val.backend);
          const ref = str(val.issuer_ref);
          if (isCreate && !v.readIssuer(box.vault, backend, ref)) throw new v.VaultError(`no issuer found at path ${backend}/issuer/${ref}`);
          const changed = (k: string): boolean => isCreate ? k in val : JSON.stringify(val[k]) !== JSON.stringify(prior[k]);
          box.vault = v.updateIssuer(box.vault, backend, ref, {
            name: changed('issuer_name') ? str(val.issuer_name) : undefined,
            usage: changed('usage') ? str(val.usage) : undefined,
            leafNotAfterBehavior: changed('leaf_not_after_behavior') ? str(val.leaf_not_after_behavior) : undefined,
          });
          return { issuer_id: v.readIssuer(box.vault, backend, ref)!.id };
        }
        if (op.kind === 'delete') box.vault = v.deleteIssuer(box.vault, str(prior.backend), str(prior.issuer_ref)).state;
        return;
      }
      case 'vault_pki_secret_backend_config_issuers': {
        if (isCreate || op.kind === 'update') {
          box.vault = v.writeConfigIssuers(box.vault, str(val.backend), str(val.default), val.default_follows_latest_issuer === true);
        }
        return;
      }
      case 'vault_generic_endpoint': {
        // vault/resource_generic_endpoint.go: Create and Update write `data_json` to `path`; with disable_delete, Delete
        // does nothing. The one write the library makes this way is a revocation: <root mount>/revoke with a serial.
        if ((isCreate || op.kind === 'update') && /\/revoke$/.test(str(val.path))) {
          const data = JSON.parse(str(val.data_json)) as { serial_number?: string };
          box.vault = v.revoke(box.vault, str(val.path).replace(/\/revoke$/, ''), String(data.serial_number));
        }
        return;
      }
      case 'vault_pki_secret_backend_role': {
        if (isCreate || op.kind === 'update') box.vault = v.writeRole(box.vault, str(val.backend), str(val.name), str(val.issuer_ref) || 'default', val.no_store === true);
        if (op.kind === 'delete' && box.vault.mounts[str(prior.backend)]) box.vault = v.deleteRole(box.vault, str(prior.backend), str(prior.name));
        return;
      }
      default:
        return;
    }
  };
}

/**
 * The provider's Read, for the plan's refresh: config_issuers reports Vault's current default; an issuer resource
 * whose issuer is gone leaves the state (its ID is cleared).
 */
export function vaultRefresh(box: { vault: v.VaultState }): (obj: StateObject) => StateObject | undefined {
  return (obj) => {
    if (obj.mode !== 'managed') return obj;
    if (obj.type === 'vault_pki_secret_backend_config_issuers') {
      const m = box.vault.mounts[str(obj.values.backend)];
      if (!m) return undefined;
      const d = m.defaultIssuer;
      return { ...obj, config: { ...obj.config, default: d }, values: { ...obj.values, default: d } };
    }
    if (obj.type === 'vault_pki_secret_backend_issuer') {
      return v.readIssuer(box.vault, str(obj.values.backend), str(obj.values.issuer_ref)) ? obj : undefined;
    }
    if (obj.type === 'vault_mount') return box.vault.mounts[str(obj.values.path)] ? obj : undefined;
    return obj;
  };
}
