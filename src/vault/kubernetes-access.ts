import { PkiNames } from '../core/names';
import { Pem } from '../core/pem';
import { Urls } from '../core/urls';

/**
 * A client-go exec credential plugin that prints a token for one cluster (`aws eks get-token --cluster-name prod-eu`,
 * `gke-gcloud-auth-plugin`, `kubelogin get-token ...`): the provider's `exec` block.
 */
export interface KubernetesExecCredential {
  /** The plugin's ExecCredential API version, e.g. `client.authentication.k8s.io/v1beta1`. */
  readonly apiVersion: string;

  /** The command, e.g. `aws`. */
  readonly command: string;

  /**
   * Its arguments, e.g. `['eks', 'get-token', '--cluster-name', 'prod-eu']`.
   * @default - none
   */
  readonly args?: string[];

  /**
   * Environment variables for the command (never secrets: they are written into the synthesized Terraform).
   * @default - none
   */
  readonly env?: { [key: string]: string };
}

/** Options of {@link KubernetesAccess.apiServer}. */
export interface KubernetesApiServerAccessOptions {
  /**
   * URL of the cluster's API server as Terraform reaches it (https).
   * @default - the PkiCluster's `kubernetesHost`
   */
  readonly host?: string;

  /**
   * PEM CA certificate of the API server: Terraform verifies the server with it alone, so the provider can only ever
   * talk to this cluster.
   * @default - the PkiCluster's `kubernetesCaCertificate`
   */
  readonly caCertificate?: string;

  /**
   * How Terraform gets a token for this cluster.
   * @default - a bearer token from the sensitive Terraform variable `kubernetes_token_<cluster>` (set
   * `TF_VAR_kubernetes_token_<cluster>` in the pipeline that applies the cluster's publication stack)
   */
  readonly exec?: KubernetesExecCredential;
}

/** Options of {@link KubernetesAccess.kubeconfig}. */
export interface KubernetesKubeconfigAccessOptions {
  /**
   * Path of a kubeconfig file holding this cluster, as the machine that runs `terraform apply` sees it (relative to the
   * stack's folder `cdktf.out/stacks/<stack>/`, or `~/...`). Never an absolute path of the machine that synthesizes.
   * @default - the Terraform variable `kubeconfig_<cluster>` (no default: set `TF_VAR_kubeconfig_<cluster>` when applying)
   */
  readonly path?: string;

  /**
   * The context of that file that names the cluster.
   * @default - the PkiCluster's `kubeconfigContext` (its name)
   */
  readonly context?: string;
}

/** What the Terraform Kubernetes provider of one cluster is configured with. @internal */
export interface ResolvedKubernetesAccess {
  readonly host?: string;
  readonly clusterCaCertificate?: string;
  readonly configPath?: string;
  readonly configContext?: string;
  readonly exec?: KubernetesExecCredential;
  /** Terraform variables the configuration reads: name and whether it is sensitive. */
  readonly variables: { name: string; sensitive: boolean; description: string }[];
  /** `${var.x}` of the token variable, when the token comes from one. */
  readonly tokenVariable?: string;
  readonly configPathVariable?: string;
}

/** The cluster values an access is resolved against. @internal */
export interface KubernetesAccessTarget {
  readonly name: string;
  readonly kubernetesHost?: string;
  readonly kubernetesCaCertificate?: string;
  readonly kubeconfigContext: string;
}

/** Host names that name no cluster: they reach whichever cluster Terraform happens to run in, or this machine. */
const AMBIENT_HOSTS = /^(kubernetes|kubernetes\.default|kubernetes\.default\.svc(\.cluster\.local)?|localhost|127(\.\d+){3}|\[::1\])$/;

/**
 * How Terraform reaches one cluster's API server to publish the CA certificates there (the cluster's
 * `kubernetes-<cluster>` provider, alone in the cluster's publication stack). Each variant names that cluster alone:
 *
 * - `apiServer()`: the API server's URL and CA certificate pinned in the provider (the CA is the only one trusted, so no
 *   other cluster can answer), credentials from a per-cluster sensitive variable or an exec plugin;
 * - `kubeconfig()`: an explicit kubeconfig path (by default a per-cluster Terraform variable without a default) and
 *   context.
 *
 * Never a bare context: provider kubernetes v2.38.0 applies `config_context` only when a kubeconfig path is set
 * (`kubernetes/provider.go` initializeConfiguration), and with no path and no host client-go falls back to the
 * in-cluster configuration, i.e. the cluster the CI runner's pod lives in.
 */
export class KubernetesAccess {
  /** The API server by URL and CA certificate (pinned), with a per-cluster token variable or an exec plugin. */
  public static apiServer(options: KubernetesApiServerAccessOptions = {}): KubernetesAccess {
    return new KubernetesAccess('apiServer', options, undefined);
  }

  /** A kubeconfig file given explicitly (a path, or the per-cluster variable `kubeconfig_<cluster>`) and its context. */
  public static kubeconfig(options: KubernetesKubeconfigAccessOptions = {}): KubernetesAccess {
    return new KubernetesAccess('kubeconfig', undefined, options);
  }

  /**
   * The default of a cluster: `apiServer()` when the PkiCluster has an API server URL (not the in-cluster name) and a
   * CA certificate, else `kubeconfig()`.
   * @internal
   */
  public static _defaultFor(target: KubernetesAccessTarget): KubernetesAccess {
    const host = target.kubernetesHost;
    return host !== undefined && target.kubernetesCaCertificate !== undefined && !KubernetesAccess._isAmbient(host)
      ? KubernetesAccess.apiServer() : KubernetesAccess.kubeconfig();
  }

  /** Whether `url`'s host names no cluster (the in-cluster service name, localhost). @internal */
  public static _isAmbient(url: string): boolean {
    try {
      return AMBIENT_HOSTS.test(new URL(url).hostname);
    } catch {
      return false;
    }
  }

  private constructor(
    /** `apiServer` or `kubeconfig`. */
    public readonly kind: string,
    private readonly apiServerOptions: KubernetesApiServerAccessOptions | undefined,
    private readonly kubeconfigOptions: KubernetesKubeconfigAccessOptions | undefined,
  ) {}

  /** The problems of this access for `target`, as the prop `prop`. @internal */
  public _problems(prop: string, target: KubernetesAccessTarget): string[] {
    if (this.apiServerOptions) {
      const o = this.apiServerOptions;
      const host = o.host ?? target.kubernetesHost;
      const ca = o.caCertificate ?? target.kubernetesCaCertificate;
      const problems: string[] = [];
      if (host === undefined) {
        problems.push(`'${prop}' (apiServer) has no host for cluster '${target.name}'; give 'host' or the cluster's 'kubernetesHost'`);
      } else {
        problems.push(...Urls.problems(`${prop}.host`, host, ['https:'], "give the API server's https URL as Terraform reaches it"));
        if (KubernetesAccess._isAmbient(host)) {
          problems.push(`'${prop}' host (${host}) names no cluster: from a CI pod it reaches the runner's own cluster, from a laptop this machine; ` +
            `give the API server URL of cluster '${target.name}' (KubernetesAccess.apiServer({ host })), or use KubernetesAccess.kubeconfig()`);
        }
      }
      if (ca === undefined) {
        problems.push(`'${prop}' (apiServer) has no CA certificate for cluster '${target.name}': without one the provider trusts whatever ` +
          "answers at the host; give 'caCertificate' or the cluster's 'kubernetesCaCertificate' (PEM)");
      } else {
        problems.push(...Pem.certificateProblems(`${prop}.caCertificate`, ca, { ca: true }));
      }
      if (o.exec !== undefined && (typeof o.exec.command !== 'string' || o.exec.command.trim() === ''
        || typeof o.exec.apiVersion !== 'string' || !/^client\.authentication\.k8s\.io\/v1(beta1)?$/.test(o.exec.apiVersion))) {
        problems.push(`'${prop}' exec (${JSON.stringify(o.exec)}) needs a 'command' and an 'apiVersion' of client.authentication.k8s.io/v1 or /v1beta1`);
      }
      return problems;
    }
    const o = this.kubeconfigOptions ?? {};
    const problems: string[] = [];
    if (o.path !== undefined && (typeof o.path !== 'string' || o.path.trim() === '')) {
      problems.push(`'${prop}' kubeconfig 'path' is empty; give the kubeconfig file of cluster '${target.name}', or leave it out to read it from ` +
        `the Terraform variable '${PkiNames.kubeconfigVariable(target.name)}'`);
    }
    const context = o.context ?? target.kubeconfigContext;
    if (typeof context !== 'string' || context.trim() === '') {
      problems.push(`'${prop}' kubeconfig 'context' is empty; give the context that names cluster '${target.name}'`);
    }
    return problems;
  }

  /** The provider configuration for `target` (call after `_problems` found nothing). @internal */
  public _resolve(target: KubernetesAccessTarget): ResolvedKubernetesAccess {
    if (this.apiServerOptions) {
      const o = this.apiServerOptions;
      const token = PkiNames.kubernetesTokenVariable(target.name);
      return {
        host: o.host ?? target.kubernetesHost,
        clusterCaCertificate: o.caCertificate ?? target.kubernetesCaCertificate,
        exec: o.exec,
        tokenVariable: o.exec ? undefined : token,
        variables: o.exec ? [] : [{
          name: token,
          sensitive: true,
          description: `Bearer token for the API server of cluster ${target.name} (allowed to write ConfigMaps in the CA publication namespace)`,
        }],
      };
    }
    const o = this.kubeconfigOptions ?? {};
    const variable = PkiNames.kubeconfigVariable(target.name);
    return {
      configPath: o.path,
      configPathVariable: o.path === undefined ? variable : undefined,
      configContext: o.context ?? target.kubeconfigContext,
      variables: o.path === undefined ? [{ name: variable, sensitive: false, description: `Path of a kubeconfig file holding cluster ${target.name}` }] : [],
    };
  }
}
