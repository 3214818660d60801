import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { PkiNames } from './names';

/** What a consistency finding is about. */
export enum ConsistencyFindingKind {
  /** The Issuer's `spec.vault.path` is not `<mount>/sign/<role>` of an existing PKI mount and role. */
  ISSUER_PATH = 'issuer-path',
  /** The Issuer's `auth.kubernetes.mountPath` is not `/v1/auth/<path>` of an existing Kubernetes auth method. */
  ISSUER_MOUNT_PATH = 'issuer-mount-path',
  /** The Issuer's `auth.kubernetes.role` is not a role of that auth method. */
  ISSUER_AUTH_ROLE = 'issuer-auth-role',
  /** The Issuer's service account is not the one the auth role binds, or does not exist. */
  ISSUER_SERVICE_ACCOUNT = 'issuer-service-account',
  /** The auth role does not bind the Issuer's namespace (exactly). */
  ISSUER_NAMESPACE = 'issuer-namespace',
  /** The auth role's audience is not the one cert-manager requests for the Issuer. */
  ISSUER_AUDIENCE = 'issuer-audience',
  /** The auth role's policies do not allow exactly signing at the Issuer's path. */
  ISSUER_POLICY = 'issuer-policy',
  /** The Issuer's server or Vault namespace is not the Vault the Terraform configures. */
  ISSUER_SERVER = 'issuer-server',
  /** No approver-policy CertificateRequestPolicy selects the Issuer in its namespace. */
  ISSUER_APPROVER_POLICY = 'issuer-approver-policy',
  /** A Certificate's issuer does not exist. */
  CERTIFICATE_ISSUER = 'certificate-issuer',
}

/** One reference that does not resolve between the Kubernetes manifests and the Terraform. */
export interface ConsistencyFinding {
  /** What kind of reference broke. */
  readonly kind: ConsistencyFindingKind;
  /** The Kubernetes object the finding is about, as `Kind namespace/name`. */
  readonly object: string;
  /** What does not resolve, and what it should resolve to. */
  readonly message: string;
}

type Resources = { [type: string]: { [id: string]: any } };

/**
 * Reads both synthesized outputs (Kubernetes manifests and the Terraform JSON) and reports every
 * reference that does not resolve: each Issuer's path, auth role, mount path, service account,
 * namespace, audience and policy against the Terraform, and each Certificate's issuer.
 * An empty result means the two sides agree.
 */
export class ConsistencyCheck {
  /**
   * Checks parsed outputs.
   * @param manifests every Kubernetes object (parsed YAML documents)
   * @param terraform the parsed `cdk.tf.json` of the Vault stack
   */
  public static check(manifests: any[], terraform: any): ConsistencyFinding[] {
    return new ConsistencyCheck(manifests.filter((m) => m && typeof m === 'object'), terraform ?? {}).run();
  }

  /**
   * Checks the outputs on disk: every `*.yaml` file in `manifestDir` (e.g. `dist/`) against the
   * Terraform JSON at `terraformJsonPath` (e.g. `cdktf.out/stacks/vault/cdk.tf.json`).
   */
  public static checkOutputs(manifestDir: string, terraformJsonPath: string): ConsistencyFinding[] {
    const manifests = fs.readdirSync(manifestDir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .flatMap((f) => Yaml.load(path.join(manifestDir, f)));
    const terraform = JSON.parse(fs.readFileSync(terraformJsonPath, 'utf8'));
    return ConsistencyCheck.check(manifests, terraform);
  }

  private readonly resources: Resources;
  private readonly findings: ConsistencyFinding[] = [];

  private constructor(private readonly manifests: any[], private readonly terraform: any) {
    this.resources = terraform.resource ?? {};
  }

  private run(): ConsistencyFinding[] {
    const issuers = this.manifests.filter((m) => this.isCertManager(m, 'Issuer'));
    for (const issuer of issuers) {
      if (issuer.spec?.vault) this.checkIssuer(issuer);
    }
    for (const cert of this.manifests.filter((m) => this.isCertManager(m, 'Certificate'))) {
      this.checkCertificate(cert);
    }
    return this.findings;
  }

  private checkIssuer(issuer: any): void {
    const ns: string = issuer.metadata?.namespace ?? '';
    const name: string = issuer.metadata?.name ?? '';
    const vault = issuer.spec.vault;
    const object = `Issuer ${ns}/${name}`;
    const add = (kind: ConsistencyFindingKind, message: string) => this.findings.push({ kind, object, message });

    const provider = (this.terraform.provider?.vault ?? [])[0] ?? {};
    if (provider.address !== undefined && vault.server !== provider.address) {
      add(ConsistencyFindingKind.ISSUER_SERVER, `server '${vault.server}' is not the Vault address '${provider.address}' the Terraform configures`);
    }
    if ((provider.namespace ?? undefined) !== (vault.namespace ?? undefined)) {
      add(ConsistencyFindingKind.ISSUER_SERVER, `Vault namespace '${vault.namespace ?? ''}' is not the Terraform's '${provider.namespace ?? ''}'`);
    }

    const match = /^(.+)\/sign\/([^/]+)$/.exec(vault.path ?? '');
    if (!match) {
      add(ConsistencyFindingKind.ISSUER_PATH, `path '${vault.path}' is not of the form '<mount>/sign/<role>'`);
    } else {
      const [, mount, role] = match;
      if (!this.find('vault_mount', (r) => this.resolve(r.path) === mount && r.type === 'pki')) {
        add(ConsistencyFindingKind.ISSUER_PATH, `path '${vault.path}': no PKI mount '${mount}' in the Terraform`);
      } else if (!this.find('vault_pki_secret_backend_role', (r) => this.resolve(r.backend) === mount && r.name === role)) {
        add(ConsistencyFindingKind.ISSUER_PATH, `path '${vault.path}': no role '${role}' on mount '${mount}' in the Terraform`);
      }
    }

    const k8sAuth = vault.auth?.kubernetes;
    if (!k8sAuth) return;
    const mountMatch = /^\/v1\/auth\/(.+)$/.exec(k8sAuth.mountPath ?? '/v1/auth/kubernetes');
    const authPath = mountMatch?.[1];
    if (!authPath || !this.find('vault_auth_backend', (r) => r.type === 'kubernetes' && this.resolve(r.path ?? r.type) === authPath)) {
      add(ConsistencyFindingKind.ISSUER_MOUNT_PATH, `mountPath '${k8sAuth.mountPath}' is not '/v1/auth/<path>' of a Kubernetes auth method in the Terraform`);
      return;
    }
    const authRole = this.find('vault_kubernetes_auth_backend_role',
      (r) => this.resolve(r.backend ?? 'kubernetes') === authPath && r.role_name === k8sAuth.role);
    if (!authRole) {
      add(ConsistencyFindingKind.ISSUER_AUTH_ROLE, `auth role '${k8sAuth.role}' does not exist on auth method '${authPath}' in the Terraform`);
      return;
    }
    const sa = k8sAuth.serviceAccountRef?.name;
    const boundNames: string[] = authRole.bound_service_account_names ?? [];
    if (sa === undefined || boundNames.length !== 1 || boundNames[0] !== sa) {
      add(ConsistencyFindingKind.ISSUER_SERVICE_ACCOUNT,
        `service account '${sa}' is not the one service account auth role '${k8sAuth.role}' binds (${JSON.stringify(boundNames)})`);
    }
    if (sa !== undefined && !this.manifests.some((m) => m.kind === 'ServiceAccount' && m.apiVersion === 'v1'
      && m.metadata?.name === sa && m.metadata?.namespace === ns)) {
      add(ConsistencyFindingKind.ISSUER_SERVICE_ACCOUNT, `service account '${sa}' does not exist in namespace '${ns}' in the manifests`);
    }
    const boundNs: string[] = authRole.bound_service_account_namespaces ?? [];
    if (boundNs.length !== 1 || boundNs[0] !== ns) {
      add(ConsistencyFindingKind.ISSUER_NAMESPACE, `auth role '${k8sAuth.role}' binds namespaces ${JSON.stringify(boundNs)}, not exactly '${ns}'`);
    }
    const audience = PkiNames.audience(ns, name);
    if (authRole.audience !== audience) {
      add(ConsistencyFindingKind.ISSUER_AUDIENCE, `auth role '${k8sAuth.role}' expects audience '${authRole.audience}', cert-manager sends '${audience}'`);
    }
    if (match && !this.policiesAllowExactly(authRole.token_policies ?? [], vault.path)) {
      add(ConsistencyFindingKind.ISSUER_POLICY,
        `auth role '${k8sAuth.role}' policies ${JSON.stringify((authRole.token_policies ?? []).map((p: string) => this.resolve(p)))} do not grant exactly create/update on '${vault.path}'`);
    }
    const selected = this.manifests.some((m) => m.kind === 'CertificateRequestPolicy'
      && m.apiVersion === 'policy.cert-manager.io/v1alpha1'
      && m.spec?.selector?.issuerRef?.name === name
      && (m.spec?.selector?.issuerRef?.kind ?? 'Issuer') === 'Issuer'
      && (m.spec?.selector?.namespace?.matchNames ?? []).includes(ns));
    if (!selected) {
      add(ConsistencyFindingKind.ISSUER_APPROVER_POLICY, `no CertificateRequestPolicy selects Issuer '${name}' in namespace '${ns}'`);
    }
  }

  private checkCertificate(cert: any): void {
    const ns = cert.metadata?.namespace ?? '';
    const ref = cert.spec?.issuerRef ?? {};
    if ((ref.group ?? 'cert-manager.io') !== 'cert-manager.io') return; // external issuers are out of scope
    const kind = ref.kind ?? 'Issuer';
    const found = this.manifests.some((m) => this.isCertManager(m, kind) && m.metadata?.name === ref.name
      && (kind === 'ClusterIssuer' || m.metadata?.namespace === ns));
    if (!found) {
      this.findings.push({
        kind: ConsistencyFindingKind.CERTIFICATE_ISSUER,
        object: `Certificate ${ns}/${cert.metadata?.name}`,
        message: `issuerRef ${kind} '${ref.name}' does not exist${kind === 'Issuer' ? ` in namespace '${ns}'` : ''} in the manifests`,
      });
    }
  }

  /** The policies, together, grant create/update on `signPath` and on nothing else. */
  private policiesAllowExactly(policyRefs: string[], signPath: string): boolean {
    const texts = policyRefs.map((ref) => {
      const name = this.resolve(ref);
      return this.find('vault_policy', (r) => this.resolve(r.name) === name)?.policy;
    });
    if (texts.length === 0 || texts.some((t) => typeof t !== 'string')) return false;
    const rules = texts.flatMap((t: string) => [...t.matchAll(/path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}/g)]);
    const stripped = texts.join('\n').replace(/#.*$/gm, '').replace(/path\s+"[^"]+"\s*\{\s*capabilities\s*=\s*\[[^\]]*\]\s*\}/g, '').trim();
    if (stripped !== '' || rules.length !== 1) return false;
    const caps = rules[0][2].split(',').map((c) => c.trim().replace(/"/g, '')).filter(Boolean).sort();
    return rules[0][1] === signPath && JSON.stringify(caps) === JSON.stringify(['create', 'update']);
  }

  private isCertManager(m: any, kind: string): boolean {
    return m.kind === kind && m.apiVersion === 'cert-manager.io/v1';
  }

  private find(type: string, predicate: (r: any) => boolean): any {
    return Object.values(this.resources[type] ?? {}).find(predicate);
  }

  /** Resolves `${type.id.attr}` references to the referenced resource's literal attribute. */
  private resolve(value: unknown): unknown {
    const match = typeof value === 'string' ? /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/.exec(value) : null;
    if (!match) return value;
    const [, type, id, attr] = match;
    const target = this.resources[type]?.[id];
    return target === undefined ? value : this.resolve(target[attr]);
  }
}
