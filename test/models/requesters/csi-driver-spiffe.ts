// cert-manager csi-driver-spiffe v0.15.0 (on csi-lib v0.12.0) as a requester: for each pod that mounts a
// `spiffe.csi.cert-manager.io` volume, the driver on the node reads the pod's namespace and service account from the
// empty-audience token the kubelet passes, and requests the SVID `spiffe://<trust domain>/ns/<ns>/sa/<sa>` with a fresh
// ECDSA P-256 key. By default the request is created WITH THAT TOKEN (the pod's own identity); with
// `app.driver.useOwnServiceAccount` it is created with the driver's service account.
//
// Upstream, csi-driver-spiffe v0.15.0:
// - internal/csi/driver/driver.go     New (duration default 1h; ClientForMetadata from the pod token unless
//                                     UseOwnServiceAccount), generateRequest (URI, namespace, usages, issuerRef,
//                                     annotations), sanitizeAnnotations
// - internal/csi/driver/util.go       generatePrivateKey (ECDSA P-256 only), signRequest (empty subject, critical SAN
//                                     through cert-manager's MarshalSANs)
// - internal/annotations/annotations.go  spiffe.csi.cert-manager.io/identity
// - internal/csi/app/options/options.go  flag defaults (issuer my-spiffe-ca ClusterIssuer, duration 1h)
// - deploy/charts/csi-driver-spiffe      values.yaml defaults, templates/daemonset.yaml (values -> flags),
//                                        templates/csidriver.yaml (tokenRequests audience ""), serviceaccount.yaml
// csi-lib v0.12.0 manager/manager.go submitRequest, manager/util/tokenrequest.go ClientForMetadataTokenRequestEmptyAud
import { webcrypto } from 'crypto';
import { buildCertificateRequest, CrSpec, CsrSpec, goDuration, RequestOverrides } from './csr';
import { csiLibLabels, csiVolumeContext, podFromWorkload, podIdentity, PodOptions, podVolume, tokenClaims, uuidFrom, volumeHandle } from './pod';
import { CertificateRequestObject, serviceAccountIdentity } from '../certificate-request';

/** A csi-driver-spiffe installation, as its Helm values configure the driver. */
export interface SpiffeDriverInstall {
  /** Release namespace. */
  readonly namespace: string;
  /** The driver DaemonSet's service account (the chart's name). */
  readonly serviceAccountName: string;
  readonly driverName: string;
  readonly trustDomain: string;
  /** Go form (`1h0m0s`). */
  readonly certificateRequestDuration: string;
  readonly issuerRef: { readonly name: string; readonly kind: string; readonly group: string };
  readonly useOwnServiceAccount: boolean;
  /** `--extra-certificate-request-annotations`, before the driver drops those under its own prefix. */
  readonly extraAnnotations: Record<string, string>;
}

/**
 * The driver's configuration from Helm values (chart v0.15.0), chart defaults filled in: `app.trustDomain`
 * (cluster.local), `app.name`, `app.certificateRequestDuration` (1h), `app.issuer` (spiffe-ca, ClusterIssuer,
 * cert-manager.io), `app.driver.useOwnServiceAccount` (false), `app.extraCertificateRequestAnnotations`
 * (`k=v,k=v`). A runtime issuance ConfigMap (`app.runtimeIssuanceConfigMap`) would replace the issuer at runtime and
 * is not modelled.
 */
export function spiffeDriverFromHelmValues(values: any, release: { namespace?: string; nameOverride?: string } = {}): SpiffeDriverInstall {
  const app = values?.app ?? {};
  if (app.runtimeIssuanceConfigMap) throw new Error('app.runtimeIssuanceConfigMap (runtime issuer) is not modelled');
  const extra: Record<string, string> = {};
  if (app.extraCertificateRequestAnnotations) {
    for (const pair of String(app.extraCertificateRequestAnnotations).split(',')) {
      const eq = pair.indexOf('=');
      if (eq < 0) throw new Error(`${pair} must be formatted as key=value`);
      extra[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return {
    namespace: release.namespace ?? 'cert-manager',
    serviceAccountName: (values?.nameOverride ?? release.nameOverride ?? 'cert-manager-csi-driver-spiffe').slice(0, 63).replace(/-$/, ''),
    driverName: app.name ?? 'spiffe.csi.cert-manager.io',
    trustDomain: app.trustDomain ?? 'cluster.local',
    certificateRequestDuration: goDuration(app.certificateRequestDuration ?? '1h'),
    issuerRef: {
      name: app.issuer?.name ?? 'spiffe-ca',
      kind: app.issuer?.kind ?? 'ClusterIssuer',
      group: app.issuer?.group ?? 'cert-manager.io',
    },
    useOwnServiceAccount: app.driver?.useOwnServiceAccount === true,
    extraAnnotations: extra,
  };
}

/** Options of {@link certificateRequestFromSpiffeVolume}. */
export interface SpiffeDriverOptions extends RequestOverrides {
  /** How to make a pod when given a workload (e.g. another service account, for a hostile variant). */
  readonly pod?: PodOptions;
}

/**
 * The SVID request (driver.go `generateRequest` + util.go `signRequest`): subject empty, one URI SAN (the SPIFFE ID
 * from the token's claims) in a SAN extension that is CRITICAL because the subject is empty (signRequest marshals it
 * with cert-manager's MarshalSANs; with a subject it would leave it to the standard library, non-critical), no
 * KeyUsage/ExtendedKeyUsage/BasicConstraints, an ECDSA P-256 key signed ECDSA-SHA256.
 */
export function spiffeDriverCsrSpec(spiffeId: string, subject: CsrSpec['subject'] = []): CsrSpec {
  return { subject, sans: [{ type: 'uri', value: spiffeId }], sanCritical: subject.length === 0, key: { algorithm: 'ECDSA', size: 256 } };
}

/** driver.go `sanitizeAnnotations`: drops extra annotations under the driver's own prefix (with an error each). */
export function spiffeSanitizeAnnotations(annotations: Record<string, string>): { annotations: Record<string, string>; errors: string[] } {
  const out: Record<string, string> = {};
  const errors: string[] = [];
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith('spiffe.csi.cert-manager.io')) errors.push(`custom annotation "${key}" was not valid; must not begin with spiffe.csi.cert-manager.io`);
    else out[key] = value;
  }
  return { annotations: out, errors };
}

/**
 * The CertificateRequest csi-driver-spiffe creates for `volume` (object or name) of `pod` (a Pod, or a workload as the
 * library emits it): in the namespace of the pod's token, named by a UUID, with csi-lib's labels, annotated
 * `spiffe.csi.cert-manager.io/identity: <SPIFFE ID>` plus the extra annotations, duration the installation's,
 * usages digital signature, key encipherment, server auth, client auth, isCA false, the installation's issuer;
 * created with the pod's service account token (default) or the driver's service account (`useOwnServiceAccount`).
 */
export async function certificateRequestFromSpiffeVolume(pod: any, volume: any, install: SpiffeDriverInstall,
  options: SpiffeDriverOptions = {}): Promise<CertificateRequestObject> {
  const thePod = pod.kind === 'Pod' ? pod : podFromWorkload(pod, options.pod);
  const theVolume = podVolume(thePod, volume);
  if (theVolume.csi?.driver !== install.driverName) {
    throw new Error(`volume '${theVolume.name}' is not a ${install.driverName} volume (driver: ${theVolume.csi?.driver ?? 'none'})`);
  }
  const who = podIdentity(thePod);
  // The chart's CSIDriver asks for podInfoOnMount and an empty-audience token (templates/csidriver.yaml).
  const context = csiVolumeContext(who, theVolume, { podInfoOnMount: true, emptyAudienceToken: true });
  if (!install.issuerRef.name) throw new Error('no issuerRef is currently active for csi-driver-spiffe; configure one using runtime configuration');
  const tokens = JSON.parse(context['csi.storage.k8s.io/serviceAccount.tokens'] ?? '{}');
  const token: string | undefined = tokens['']?.token;
  if (!token) throw new Error('empty audience service account token doesn\'t exist in CSI volume context');
  const claims = tokenClaims(token);
  if (!claims.namespace || !claims.serviceAccount) throw new Error('missing namespace or serviceaccount name in request token');
  const spiffeId = `spiffe://${install.trustDomain}/ns/${claims.namespace}/sa/${claims.serviceAccount}`;
  const extra = spiffeSanitizeAnnotations(install.extraAnnotations).annotations;
  const volumeId = volumeHandle(who.uid, theVolume.name);
  const cr: CrSpec = {
    name: uuidFrom(`${volumeId}/${webcrypto.randomUUID()}`),
    namespace: claims.namespace,
    labels: csiLibLabels(who.nodeName, volumeId),
    annotations: { 'spiffe.csi.cert-manager.io/identity': spiffeId, ...extra },
    issuerRef: install.issuerRef,
    duration: install.certificateRequestDuration,
    isCA: false,
    usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
    identity: install.useOwnServiceAccount
      ? serviceAccountIdentity(install.namespace, install.serviceAccountName)
      : serviceAccountIdentity(claims.namespace, claims.serviceAccount),
  };
  return buildCertificateRequest(spiffeDriverCsrSpec(spiffeId), cr, options);
}

/** Convenience: the request for a pod of `namespace` running as `serviceAccount` that mounts one SVID volume. */
export async function certificateRequestForServiceAccount(install: SpiffeDriverInstall, namespace: string, serviceAccount: string,
  options: SpiffeDriverOptions = {}): Promise<CertificateRequestObject> {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${serviceAccount}-pod`, namespace },
    spec: {
      serviceAccountName: serviceAccount,
      volumes: [{ name: 'spiffe', csi: { driver: install.driverName, readOnly: true, volumeAttributes: {} } }],
    },
  };
  return certificateRequestFromSpiffeVolume(podFromWorkload(pod, options.pod), 'spiffe', install, options);
}
