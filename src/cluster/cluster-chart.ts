import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Dns } from '../core/dns';
import { PkiValidationError } from '../core/errors';
import { KubernetesNames } from '../core/kubernetes-names';
import { Labels } from '../core/labels';
import { Provenance } from '../core/provenance';
import { validate } from '../core/validation';
import { IPkiCluster } from '../vault/pki-cluster';

/** Props of {@link ClusterChart}. */
export interface ClusterChartProps {
  /** The cluster whose manifests this chart holds (a PkiCluster, or `PkiCluster.fromAttributes()` in another program). */
  readonly cluster: IPkiCluster;

  /**
   * Labels the cluster's Prometheus operator selects PrometheusRules by (the alerts and the tenants' recording
   * rules). Required, because a rule the operator does not select is never evaluated and every alert stays silent:
   * kube-prometheus-stack selects `release: <its Helm release name>` unless
   * `prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues=false`. Pass `{}` only when the ruleSelector selects
   * every PrometheusRule.
   */
  readonly ruleLabels: { [key: string]: string };

  /**
   * The label that carries a Certificate's or Issuer's namespace in cert-manager's metrics. A ServiceMonitor
   * without `honorLabels: true` (cert-manager's chart default) renames it to `exported_namespace`.
   * @default 'exported_namespace'
   */
  readonly certificateNamespaceLabel?: string;

  /**
   * Namespace of cert-manager's controller in this cluster.
   * @default 'cert-manager'
   */
  readonly certManagerNamespace?: string;

  /**
   * Service account of cert-manager's controller in this cluster.
   * @default 'cert-manager'
   */
  readonly certManagerServiceAccount?: string;
}

/**
 * The Kubernetes half of one cluster: a cdk8s Chart holding every object the library emits into that cluster
 * (tenants' Issuers and policies, certificates, trust bundles, alerts). Kubernetes names are unique per cluster:
 * the constructs check them against everything else in the cluster's charts. `k8s.synth()` writes it like any
 * chart; `GitOpsOutput` writes every cluster into its own folder tree.
 */
export class ClusterChart extends Chart {
  /** The ClusterChart `construct` lives in. */
  public static containing(construct: IConstruct): ClusterChart {
    const chart = construct.node.scopes.slice().reverse().find((s): s is ClusterChart => s instanceof ClusterChart);
    if (!chart) {
      throw new PkiValidationError(construct.constructor.name, construct.node.path, [
        'must be created in a ClusterChart (the Kubernetes half of one cluster): pass the ClusterChart, or a construct inside it, as the scope',
      ]);
    }
    return chart;
  }

  /** The cluster. */
  public readonly cluster: IPkiCluster;
  /** Labels the cluster's Prometheus operator selects PrometheusRules by. */
  public readonly ruleLabels: { [key: string]: string };
  /** The label carrying a Certificate's namespace in cert-manager's metrics. */
  public readonly certificateNamespaceLabel: string;
  /** Namespace of cert-manager's controller. */
  public readonly certManagerNamespace: string;
  /** Service account of cert-manager's controller. */
  public readonly certManagerServiceAccount: string;

  constructor(scope: Construct, id: string, props: ClusterChartProps) {
    super(scope, id);
    const resolved = {
      cluster: props?.cluster,
      ruleLabels: props?.ruleLabels,
      certificateNamespaceLabel: props?.certificateNamespaceLabel ?? 'exported_namespace',
      certManagerNamespace: props?.certManagerNamespace ?? 'cert-manager',
      certManagerServiceAccount: props?.certManagerServiceAccount ?? 'cert-manager',
    };
    validate(this, 'ClusterChart', resolved, [
      (c) => !Provenance.is(c.cluster, 'PkiCluster')
        && "'cluster' is missing or not made by this library; pass a PkiCluster, or PkiCluster.fromAttributes() in another program",
      (c) => (c.ruleLabels === undefined || c.ruleLabels === null)
        && "'ruleLabels' is missing; give the labels your Prometheus operator's ruleSelector selects, e.g. { release: 'kube-prometheus-stack' } " +
        "(kube-prometheus-stack's default), or {} when it selects every PrometheusRule: a rule nobody selects never alerts",
      (c) => Labels.problems('ruleLabels', c.ruleLabels ?? {}),
      (c) => !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(c.certificateNamespaceLabel)
        && `'certificateNamespaceLabel' (${c.certificateNamespaceLabel}) is not a Prometheus label name; use 'exported_namespace' or 'namespace'`,
      (c) => !Dns.isLabel(c.certManagerNamespace) && `'certManagerNamespace' (${c.certManagerNamespace}) is not a valid namespace name (RFC 1123 label)`,
      (c) => !Dns.isSubdomain(c.certManagerServiceAccount)
        && `'certManagerServiceAccount' (${c.certManagerServiceAccount}) is not a valid service account name (RFC 1123 subdomain)`,
    ]);
    this.cluster = resolved.cluster;
    this.ruleLabels = { ...resolved.ruleLabels };
    this.certificateNamespaceLabel = resolved.certificateNamespaceLabel;
    this.certManagerNamespace = resolved.certManagerNamespace;
    this.certManagerServiceAccount = resolved.certManagerServiceAccount;
    KubernetesNames.markCluster(this, this.cluster.name);
  }
}
