import { Construct } from 'constructs';
import { PkiNames } from '../core/names';
import { ConfigMapV1, TerraformFn, TerraformToken } from '../terraform';
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
 * A hierarchy's CA certificates, published by Terraform into a ConfigMap in one cluster's trust namespace, straight
 * from the Vault resources' certificate attributes (public data only: no key ever exists outside Vault).
 * TrustBundles read from it, and x509-certificate-exporter watches it so the CA expiry alerts have a metric.
 *
 * Keys: `root.crt`, `intermediate-<name>.crt` per intermediate, and `ca-certificates.crt` with all of them.
 * Created by {@link PkiCluster.publishCaCertificates}.
 */
export class PublishedCaCertificates extends Construct {
  /** Namespace of the ConfigMap. */
  public readonly namespace: string;
  /** Name of the ConfigMap: `<hierarchy>-ca-certificates`. */
  public readonly configMapName: string;
  /** Key of the root CA certificate. */
  public readonly rootKey: string;
  /** Name of the hierarchy. */
  public readonly hierarchyName: string;
  /** Key holding every CA certificate in one PEM bundle (what x509-certificate-exporter watches). */
  public readonly allCasKey: string;

  constructor(scope: Construct, id: string, props: PublishedCaCertificatesProps) {
    super(scope, id);
    const { cluster, hierarchy } = props;
    this.namespace = hierarchy.caPublicationNamespace;
    this.hierarchyName = hierarchy.name;
    this.configMapName = PkiNames.caConfigMapName(hierarchy.name);
    this.rootKey = PkiNames.ROOT_CA_KEY;
    const data: { [key: string]: string } = { [this.rootKey]: hierarchy.root._certificate.certificate };
    for (const intermediate of hierarchy._intermediates) {
      data[PkiNames.intermediateCaKey(intermediate.name)] = intermediate._signed.certificate;
    }
    // One key with every CA, so one x509-certificate-exporter key setting covers them all.
    data[PkiNames.ALL_CAS_KEY] = TerraformToken.asString(TerraformFn.join('\n', Object.values(data)));
    this.allCasKey = PkiNames.ALL_CAS_KEY;
    const configMap = new ConfigMapV1(this, 'config-map', {
      provider: cluster.vault._kubernetesProvider(cluster.name, cluster.kubeconfigContext),
      metadata: {
        name: this.configMapName,
        namespace: this.namespace,
        labels: PkiNames.labels(hierarchy.name),
      },
      data,
    });
    configMap.overrideLogicalId(PkiNames.terraformId(cluster.name, hierarchy.name, 'ca-certificates'));
  }

  /** Key of an intermediate CA's certificate: `intermediate-<name>.crt`. */
  public intermediateKey(intermediateName: string): string {
    return PkiNames.intermediateCaKey(intermediateName);
  }
}
