import { Construct } from 'constructs';
import { IntermediateCa } from './intermediate-ca';
import { PkiNames } from '../core/names';
import { RootCa } from './root-ca';
import { ConfigMapV1, TerraformFn, TerraformToken } from '../terraform';
import { VaultPkiStack } from './vault-pki-stack';

/** Props of {@link PublishedCaCertificates}. */
export interface PublishedCaCertificatesProps {
  /** The Terraform stack (its Kubernetes provider writes the ConfigMap). */
  readonly vault: VaultPkiStack;
  /** Name of the hierarchy. */
  readonly hierarchyName: string;
  /** The root CA. */
  readonly root: RootCa;
  /** The intermediate CAs. */
  readonly intermediates: IntermediateCa[];
  /** Namespace of the ConfigMap: trust-manager's trust namespace. */
  readonly namespace: string;
}

/**
 * The hierarchy's CA certificates, published by Terraform into a ConfigMap in trust-manager's
 * trust namespace, straight from the Vault resources' certificate attributes (public data only:
 * no key ever exists outside Vault). TrustBundles read from it, and x509-certificate-exporter
 * watches it so the CA expiry alerts have a metric.
 *
 * Keys: `root.crt`, `intermediate-<name>.crt` per intermediate, and `ca-certificates.crt` with all of them.
 * Created by {@link PkiHierarchy.publishCaCertificates}.
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
    this.namespace = props.namespace;
    this.hierarchyName = props.hierarchyName;
    this.configMapName = PkiNames.caConfigMapName(props.hierarchyName);
    this.rootKey = PkiNames.ROOT_CA_KEY;
    const data: { [key: string]: string } = { [this.rootKey]: props.root._certificate.certificate };
    for (const intermediate of props.intermediates) {
      data[PkiNames.intermediateCaKey(intermediate.name)] = intermediate._signed.certificate;
    }
    // One key with every CA, so one x509-certificate-exporter key setting covers them all.
    data[PkiNames.ALL_CAS_KEY] = TerraformToken.asString(TerraformFn.join('\n', Object.values(data)));
    this.allCasKey = PkiNames.ALL_CAS_KEY;
    const tfId = PkiNames.terraformId(props.hierarchyName, 'ca-certificates');
    const configMap = new ConfigMapV1(new Construct(props.vault, tfId), 'config-map', {
      provider: props.vault.kubernetesProvider(),
      metadata: {
        name: this.configMapName,
        namespace: this.namespace,
        labels: PkiNames.labels(props.hierarchyName),
      },
      data,
    });
    configMap.overrideLogicalId(tfId);
  }

  /** Key of an intermediate CA's certificate: `intermediate-<name>.crt`. */
  public intermediateKey(intermediateName: string): string {
    return PkiNames.intermediateCaKey(intermediateName);
  }
}
