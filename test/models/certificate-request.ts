/**
 * A cert-manager CertificateRequest (cert-manager.io/v1) as the API server stores it after the requester created it:
 * the contract between the requester models (test/models/requesters) and the approver models
 * (test/models/approver-policy). Field names follow cert-manager v1.21.1 `pkg/apis/certmanager/v1/types_certificaterequest.go`.
 */
export interface CertificateRequestObject {
  readonly apiVersion: 'cert-manager.io/v1';
  readonly kind: 'CertificateRequest';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec: {
    /** The PEM-encoded PKCS#10 CSR, base64-encoded (the Go `[]byte` field's JSON form). */
    readonly request: string;
    readonly issuerRef: { readonly name: string; readonly kind?: string; readonly group?: string };
    /** Go duration string, e.g. `24h0m0s`. */
    readonly duration?: string;
    readonly isCA?: boolean;
    readonly usages?: string[];
    /** Set by cert-manager's webhook from the creating identity (`system:serviceaccount:<ns>:<sa>` for a service account). */
    readonly username: string;
    readonly groups?: string[];
    readonly uid?: string;
    readonly extra?: Record<string, string[]>;
  };
}

/** Who created a request: the identity the API server authenticated (its username and groups). */
export interface RequesterIdentity {
  readonly username: string;
  readonly groups: string[];
}

/** The identity of a service account token, as the API server authenticates it. */
export function serviceAccountIdentity(namespace: string, name: string): RequesterIdentity {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}
