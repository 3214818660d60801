import { Construct } from 'constructs';
import { PkiNames } from '../core/names';
import { ConfigMapV1, TerraformFn, TerraformToken } from '../terraform';
import { CaPublicationStack } from './ca-publication-stack';
import type { PkiCluster } from './pki-cluster';
import type { PkiHierarchy } from './pki-hierarchy';

/** Props of {@link PublishedCaCertificates}. */
export interface PublishedCaCertificatesProps {
  /** The cluster the ConfigMap is written into (with its Terraform Kubernetes provider). */
  readonly cluster: PkiCluster;
  /** The hierarchy whose CA certificates are published. */
  readonly hierarchy: PkiHierarchy;
}

/**
 * A hierarchy's CA certificates, published by Terraform into a ConfigMap in one cluster's trust namespace, read from
 * Vault's issuers at plan time (public data only: no key ever exists outside Vault), in the cluster's own
 * {@link CaPublicationStack}. TrustBundles read from it, and x509-certificate-exporter watches it so the CA expiry
 * alerts have a metric.
 *
 * Keys, for every live (not RETIRED) generation: `roots.crt` (every root generation: what TrustBundles carry, the key
 * never changes through a rotation), `intermediates.crt`, `ca-certificates.crt` (all of them), and one key per
 * generation: `root.crt` / `root-g<N>.crt`, `intermediate-<name>.crt` / `intermediate-<name>-g<N>.crt`.
 * Created by {@link PkiCluster.publishCaCertificates}.
 */
export class PublishedCaCertificates extends Construct {
  /** Namespace of the ConfigMap. */
  public readonly namespace: string;
  /** Name of the ConfigMap: `<hierarchy>-ca-certificates`. */
  public readonly configMapName: string;
  /** Key holding every live root CA generation (what TrustBundles carry). */
  public readonly rootsKey: string;
  /** Key holding every live intermediate CA generation. */
  public readonly intermediatesKey: string;
  /** Name of the hierarchy. */
  public readonly hierarchyName: string;
  /** Key holding every live CA certificate in one PEM bundle (what x509-certificate-exporter watches). */
  public readonly allCasKey: string;

  constructor(scope: Construct, id: string, props: PublishedCaCertificatesProps) {
    super(scope, id);
    const { cluster, hierarchy } = props;
    const stack = CaPublicationStack.of(this);
    if (!(stack instanceof CaPublicationStack)) {
      throw new Error(`PublishedCaCertificates '${this.node.path}' must be created in the cluster's CaPublicationStack: use PkiCluster.publishCaCertificates()`);
    }
    this.namespace = hierarchy.caPublicationNamespace;
    this.hierarchyName = hierarchy.name;
    this.configMapName = PkiNames.caConfigMapName(hierarchy.name);
    this.rootsKey = PkiNames.ROOTS_KEY;
    this.intermediatesKey = PkiNames.INTERMEDIATES_KEY;
    this.allCasKey = PkiNames.ALL_CAS_KEY;
    // Every live generation's issuer, by the name the hierarchy gives it in its mount.
    const roots = [...hierarchy.root._generations.values()].map((g) => [PkiNames.rootCaKey(g.generation),
      stack._issuerCertificate(hierarchy.root.mountPath, PkiNames.generationName('root', g.generation))]);
    const intermediates = hierarchy._intermediates.flatMap((i) =>
      [...i._generations.values()].map((g) => [PkiNames.intermediateCaKey(i.name, g.generation),
        stack._issuerCertificate(i.mountPath, PkiNames.intermediateIssuerName(i.name, g.generation))]));
    const join = (entries: string[][]) => TerraformToken.asString(TerraformFn.join('\n', entries.map(([, pem]) => pem)));
    const data: { [key: string]: string } = {
      ...Object.fromEntries([...roots, ...intermediates]),
      [this.rootsKey]: join(roots),
      [this.intermediatesKey]: join(intermediates),
      // One key with every CA, so one x509-certificate-exporter key setting covers them all.
      [this.allCasKey]: join([...roots, ...intermediates]),
    };
    const configMap = new ConfigMapV1(this, 'config-map', {
      provider: stack._kubernetes,
      metadata: {
        name: this.configMapName,
        namespace: this.namespace,
        labels: PkiNames.labels(hierarchy.name),
      },
      data,
    });
    configMap.overrideLogicalId(PkiNames.terraformId(cluster.name, hierarchy.name, 'ca-certificates'));
  }
}
