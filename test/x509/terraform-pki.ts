// What the synthesized Terraform asks Vault for, read back out of cdk.tf.json: each root and intermediate generation's
// key, lifetime, path length and name constraints, which root generation signs which intermediate, which generation each
// mount's default issuer (what tenant roles sign with) is, what the trust bundle's source key holds, and each role's leaves.
import { CaSpec, LeafSpec } from './openssl-ca';

/** A `${type.id.attr}` reference's type and id. */
function ref(value: unknown): { type: string; id: string } {
  const match = typeof value === 'string' ? /^\$\{(?:element\()?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+/.exec(value) : null;
  if (!match) throw new Error(`not a reference: ${String(value)}`);
  return { type: match[1], id: match[2] };
}

const days = (seconds: unknown) => Math.max(1, Math.round(Number(seconds) / 86400));

export interface IntermediatePlan {
  readonly spec: CaSpec;
  /** Id of the `root_cert` of the root generation that signs it. */
  readonly signer: string;
  /** Vault path of its mount. */
  readonly mount: string;
}

/** The PKI one cdk.tf.json describes. */
export class TerraformPki {
  /** Root generations by `root_cert` id. */
  public readonly roots = new Map<string, CaSpec>();
  /** Intermediate generations by `root_sign_intermediate` id. */
  public readonly intermediates = new Map<string, IntermediatePlan>();
  /** Per intermediate mount path: the id of the generation the default issuer is (what roles sign with). */
  public readonly signers = new Map<string, string>();
  /** The `root_cert` ids whose certificates the CA ConfigMap's `roots.crt` (the trust bundles' source) holds. */
  public readonly bundle: string[];

  /**
   * @param terraform the Vault stack's cdk.tf.json
   * @param publication the cluster's CA publication stack's cdk.tf.json, which reads each issuer by name from Vault
   * @param configMap the logical id of the CA ConfigMap in it
   */
  constructor(private readonly terraform: any, publication: any, configMap: string) {
    const r = terraform.resource;
    for (const [id, cert] of Object.entries<any>(r.vault_pki_secret_backend_root_cert ?? {})) {
      this.roots.set(id, {
        commonName: cert.common_name, keyType: cert.key_type, keyBits: cert.key_bits, days: days(cert.ttl), pathLength: cert.max_path_length,
      });
    }
    for (const [id, signed] of Object.entries<any>(r.vault_pki_secret_backend_root_sign_intermediate ?? {})) {
      const csr = r[ref(signed.csr).type][ref(signed.csr).id];
      const rootIssuer = r.vault_pki_secret_backend_issuer[ref(signed.issuer_ref).id];
      this.intermediates.set(id, {
        spec: {
          commonName: signed.common_name,
          keyType: csr.key_type,
          keyBits: csr.key_bits,
          days: days(signed.ttl),
          pathLength: signed.max_path_length,
          permittedDnsDomains: signed.permitted_dns_domains,
        },
        signer: ref(rootIssuer.issuer_ref).id,
        mount: this.mountPath(csr.backend),
      });
    }
    for (const config of Object.values<any>(r.vault_pki_secret_backend_config_issuers ?? {})) {
      const issuer = r.vault_pki_secret_backend_issuer[ref(config.default).id];
      if (issuer.issuer_ref.startsWith('${element(')) {
        const setSigned = r.vault_pki_secret_backend_intermediate_set_signed[ref(issuer.issuer_ref).id];
        this.signers.set(this.mountPath(config.backend), ref(setSigned.certificate).id);
      }
    }
    // roots.crt names Vault issuers (mount and issuer name) read at plan time: the root_cert of that mount and name.
    const roots: string = publication.resource.kubernetes_config_map_v1[configMap].data['roots.crt'];
    const issuers = publication.data?.vault_pki_secret_backend_issuer ?? {};
    this.bundle = [...roots.matchAll(/data\.vault_pki_secret_backend_issuer\.([A-Za-z0-9_-]+)\.certificate/g)].map((m) => {
      const { backend, issuer_ref: name } = issuers[m[1]];
      const found = Object.entries<any>(r.vault_pki_secret_backend_root_cert ?? {})
        .find(([, c]) => this.mountPath(c.backend) === backend && c.issuer_name === name);
      if (!found) throw new Error(`roots.crt reads issuer ${backend}/${name}, which no root generation of the Vault stack creates`);
      return found[0];
    });
  }

  /** The leaves the tenant role `role` on `mount` lets Vault sign, for `dnsNames`. */
  public leaf(mount: string, role: string, dnsNames: string[]): LeafSpec {
    const found = Object.values<any>(this.terraform.resource.vault_pki_secret_backend_role)
      .find((x) => this.mountPath(x.backend) === mount && x.name === role);
    if (!found) throw new Error(`no role ${role} on ${mount}`);
    return {
      dnsNames,
      keyType: found.key_type,
      keyBits: found.key_bits,
      days: days(found.max_ttl),
      keyUsage: found.key_usage,
      serverAuth: found.server_flag,
      clientAuth: found.client_flag,
    };
  }

  /** A mount path, from a reference to the mount or the plain path (tenant roles, possibly in another stack, name it). */
  private mountPath(backend: string): string {
    return backend.startsWith('${') ? this.terraform.resource.vault_mount[ref(backend).id].path : backend;
  }
}
