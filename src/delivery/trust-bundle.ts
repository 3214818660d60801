import type * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { WorkloadMountOptions } from './workload-mount-options';
import { ClusterChart } from '../cluster/cluster-chart';
import { ClusterScopedObject } from '../core/cluster-scoped';
import { Dns } from '../core/dns';
import { Problems } from '../core/errors';
import { Shape } from '../core/input-shapes';
import { KubernetesNames } from '../core/kubernetes-names';
import { Labels } from '../core/labels';
import { LazyModules } from '../core/lazy-modules';
import { PkiNames } from '../core/names';
import { Pem } from '../core/pem';
import { Provenance } from '../core/provenance';
import { validateShapes } from '../core/validation';
import type { BundleSpecSources } from '../imports/trust-manager-trust.cert-manager.io';
import { PkiCluster } from '../vault/pki-cluster';
import { IPkiHierarchy } from '../vault/pki-hierarchy';

/** Props of {@link TrustBundle}. */
export interface TrustBundleProps {
  /** The hierarchy whose CA certificates the bundle distributes. */
  readonly hierarchy: IPkiHierarchy;

  /**
   * Further hierarchies whose CA certificates the bundle also carries, e.g. while tenants move from one hierarchy to
   * another (a root rollover within a hierarchy needs nothing here: the bundle carries every live root generation).
   * @default - none
   */
  readonly additionalHierarchies?: IPkiHierarchy[];

  /**
   * Further CA certificates (PEM) to trust, e.g. a CA being migrated away from.
   * @default - none
   */
  readonly additionalCaCertificates?: string[];

  /**
   * Labels a namespace must carry to receive the bundle, e.g. `{ 'inject-ca': 'true' }`.
   * Required and non-empty: the bundle never reaches every namespace by default.
   */
  readonly namespaceLabels: { [key: string]: string };

  /**
   * Name of the Bundle, and of the ConfigMap trust-manager writes into each selected namespace.
   * @default - the construct id
   */
  readonly bundleName?: string;

  /**
   * Key of the PEM bundle in the target ConfigMaps.
   * @default 'ca-bundle.crt'
   */
  readonly key?: string;

  /**
   * Also trust the intermediates directly (normally the root suffices: leaves carry their chain).
   * @default false
   */
  readonly includeIntermediates?: boolean;

  /**
   * Also trust trust-manager's default public CA package (H9: off unless asked).
   * @default false
   */
  readonly includeDefaultCAs?: boolean;

  /**
   * Also write a JKS truststore under this key (trust-manager's default password `changeit`).
   * @default - no JKS truststore
   */
  readonly jksKey?: string;

  /**
   * Also write a PKCS#12 truststore under this key.
   * @default - no PKCS#12 truststore
   */
  readonly pkcs12Key?: string;
}

/**
 * A trust-manager `Bundle` (H9) that distributes this PKI's CA certificates, and only those unless
 * asked, into a ConfigMap in every namespace carrying `namespaceLabels`.
 *
 * The certificates are wired, not copied: Terraform publishes them from the Vault resources into a
 * ConfigMap in trust-manager's namespace (`PkiCluster.publishCaCertificates()`), and the Bundle's
 * sources name exactly that ConfigMap's `roots.crt` key (every live root generation, so old and new roots
 * overlap through a rollover) and, when asked, `intermediates.crt`. Several hierarchies can be carried at once.
 */
export class TrustBundle extends Construct {
  /** Name of the Bundle and of the target ConfigMaps. */
  public readonly bundleName: string;
  /** Key of the PEM bundle in the target ConfigMaps. */
  public readonly key: string;
  /** Whether the bundle also trusts the intermediates directly. */
  public readonly includeIntermediates: boolean;
  /** Whether the bundle also trusts trust-manager's default public CA package. */
  public readonly includeDefaultCAs: boolean;
  /** Further CA certificates (PEM) the bundle trusts. */
  public readonly additionalCaCertificates: string[];

  constructor(scope: Construct, id: string, props: TrustBundleProps) {
    super(scope, id);
    validateShapes(this, 'TrustBundle', props, {
      additionalHierarchies: Shape.LIST,
      additionalCaCertificates: Shape.STRINGS,
      namespaceLabels: Shape.OBJECT,
      bundleName: Shape.STRING,
      key: Shape.STRING,
      includeIntermediates: Shape.BOOLEAN,
      includeDefaultCAs: Shape.BOOLEAN,
      jksKey: Shape.STRING,
      pkcs12Key: Shape.STRING,
    });
    this.bundleName = props.bundleName ?? id;
    this.key = props.key ?? PkiNames.CA_BUNDLE_KEY;
    this.includeIntermediates = props.includeIntermediates ?? false;
    this.includeDefaultCAs = props.includeDefaultCAs ?? false;
    this.additionalCaCertificates = Object.freeze([...(props.additionalCaCertificates ?? [])]) as string[];
    const chart = ClusterChart.containing(this);
    const hierarchies = [props.hierarchy, ...(props.additionalHierarchies ?? [])];
    this.validate(props, hierarchies);

    const sources: BundleSpecSources[] = [];
    for (const hierarchy of hierarchies) {
      // The source ConfigMap is written by Terraform into this cluster: by this program when it holds both the
      // cluster and the hierarchy, else by the program that does (the platform's).
      if (chart.cluster instanceof PkiCluster && chart.cluster._canPublish(hierarchy)) chart.cluster.publishCaCertificates(hierarchy);
      // Keys that hold every live generation: the Bundle stays the same through a rotation, Terraform changes what
      // they hold, and trust-manager follows (no Bundle ever names a key Terraform has not written yet, or no longer).
      const configMap = PkiNames.caConfigMapName(hierarchy.name);
      const keys = [PkiNames.ROOTS_KEY, ...(props.includeIntermediates ? [PkiNames.INTERMEDIATES_KEY] : [])];
      for (const key of keys) sources.push({ configMap: { name: configMap, key } });
    }
    for (const pem of props.additionalCaCertificates ?? []) sources.push({ inLine: pem });
    if (props.includeDefaultCAs) sources.push({ useDefaultCAs: true });

    // The cluster-scoped Bundle in its wire form (the generated class in src/imports renders the same object, see `wireObject`;
    // BundleSpecSources' keys are the wire keys), without the Chart's namespace.
    new ClusterScopedObject(this, 'bundle', {
      apiVersion: 'trust.cert-manager.io/v1alpha1',
      kind: 'Bundle',
      metadata: {
        name: this.bundleName,
        labels: PkiNames.labels(props.hierarchy.name),
      },
      spec: {
        sources,
        target: {
          configMap: { key: this.key },
          namespaceSelector: { matchLabels: { ...props.namespaceLabels } },
          additionalFormats: props.jksKey || props.pkcs12Key ? {
            jks: props.jksKey ? { key: props.jksKey } : undefined,
            pkcs12: props.pkcs12Key ? { key: props.pkcs12Key } : undefined,
          } : undefined,
        },
      },
    });
  }

  /**
   * Mounts the bundle's ConfigMap read-only into a workload (the workload's namespace must carry
   * the bundle's `namespaceLabels`, or trust-manager never writes the ConfigMap there).
   */
  public mount(workload: kplus.AbstractPod, options: WorkloadMountOptions = {}): void {
    const kplusModule = LazyModules.kplus();
    const { mountReadOnly, volumeName } = LazyModules.workloadMount();
    mountReadOnly({
      owner: this,
      ownerType: 'TrustBundle',
      workload,
      options,
      defaultPath: `/etc/trust-bundle/${this.bundleName}`,
      volumeName: volumeName('trust', this.bundleName),
      // CA certificates are public: readable by any user of the container (mode 0644).
      secret: false,
      volume: (scope, id, name) => kplusModule.Volume.fromConfigMap(scope, id, kplusModule.ConfigMap.fromConfigMapName(scope, `${id}-config-map`, this.bundleName), {
        name,
      }),
    });
  }

  /**
   * What makes the bundle unfit to pin a mesh's or an SVID's trust (only the hierarchies' roots may be trust anchors
   * there: a public CA or an intermediate would let any certificate it signs impersonate a workload), or none.
   * @internal
   */
  public _notOnlyRoots(): string[] {
    return [
      ...(this.includeDefaultCAs ? ["'includeDefaultCAs' (public CAs)"] : []),
      ...(this.additionalCaCertificates.length > 0 ? ["'additionalCaCertificates'"] : []),
      ...(this.includeIntermediates ? ["'includeIntermediates'"] : []),
    ];
  }

  /**
   * The bundle as a Helm chart's extra volume: the ConfigMap trust-manager writes into the chart's namespace (which must
   * carry `namespaceLabels`), mounted read-only at `directory`; `file` is the PEM bundle's path in the container.
   * @internal
   */
  public _helmVolume(name: string, directory: string): { volume: any; volumeMount: any; file: string } {
    return {
      volume: { name, configMap: { name: this.bundleName, items: [{ key: this.key, path: this.key }] } },
      volumeMount: { name, mountPath: directory, readOnly: true },
      file: `${directory}/${this.key}`,
    };
  }

  private validate(props: TrustBundleProps, hierarchies: IPkiHierarchy[]): void {
    const problems = new Problems();
    hierarchies.forEach((h, i) => problems.check(!Provenance.is(h, 'PkiHierarchy'), () => i === 0
      ? "'hierarchy' is missing; pass the PkiHierarchy (or PkiHierarchy.fromAttributes()) whose CA certificates the bundle carries"
      : `'additionalHierarchies[${i - 1}]' is not a PkiHierarchy; pass PkiHierarchy or PkiHierarchy.fromAttributes() objects`));
    problems.check(props.namespaceLabels === undefined || props.namespaceLabels === null, () =>
      "'namespaceLabels' is missing; select the namespaces that receive the bundle by label, e.g. { 'inject-ca': 'true' }");
    problems.throwIfAny(this, 'TrustBundle');
    problems.check(!Dns.isSubdomain(this.bundleName), () =>
      `'bundleName' (${this.bundleName}) is not a valid Kubernetes name (RFC 1123 subdomain); set 'bundleName'`);
    const keys = [this.key, props.jksKey, props.pkcs12Key].filter((k): k is string => k !== undefined);
    for (const key of keys) {
      problems.check(!/^[-._a-zA-Z0-9]{1,253}$/.test(key), () => `'${key}' is not a valid ConfigMap key (letters, digits, '-', '_', '.')`);
    }
    problems.check(new Set(keys).size !== keys.length, () =>
      `'key', 'jksKey' and 'pkcs12Key' must differ (${keys.join(', ')}); give each format its own key`);
    const labels = Object.entries(props.namespaceLabels ?? {});
    problems.check(labels.length === 0, () =>
      "'namespaceLabels' is empty; the bundle would reach every namespace: select namespaces by label, e.g. { 'inject-ca': 'true' }");
    Labels.problems('namespaceLabels', props.namespaceLabels ?? {}).forEach((p) => problems.add(p));
    const names = hierarchies.map((h) => h.name);
    problems.check(new Set(names).size !== names.length, () =>
      `'additionalHierarchies' repeats a hierarchy (${names.join(', ')}); list each hierarchy once`);
    const namespaces = new Set(hierarchies.map((h) => h.caPublicationNamespace));
    problems.check(namespaces.size > 1, () =>
      `the hierarchies publish their CA certificates into different namespaces (${[...namespaces].join(', ')}); ` +
      "trust-manager reads sources from its one trust namespace: give every hierarchy the same 'caPublicationNamespace'");
    (props.additionalCaCertificates ?? []).forEach((pem, i) =>
      Pem.certificateProblems(`additionalCaCertificates[${i}]`, pem, { ca: true }).forEach((p) => problems.add(p)));
    if (problems.messages.length === 0) {
      KubernetesNames.claim(this, [{
        kind: 'trust.cert-manager.io/Bundle',
        name: this.bundleName,
        from: `'bundleName' (${this.bundleName})`,
        fix: "give every TrustBundle of a cluster its own 'bundleName' (it also names the ConfigMaps it writes)",
      }]).forEach((p) => problems.add(p));
    }
    problems.throwIfAny(this, 'TrustBundle');
  }
}
