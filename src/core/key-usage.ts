/**
 * Certificate usages, spelled as cert-manager and approver-policy spell them.
 * The Vault role's `key_usage`/`server_flag`/`client_flag` are derived from the same setting.
 */
export enum KeyUsage {
  /** Digital signature: every TLS certificate with an EC or Ed25519 key needs it. */
  DIGITAL_SIGNATURE = 'digital signature',
  /** Key encipherment: RSA key exchange (only with RSA keys). */
  KEY_ENCIPHERMENT = 'key encipherment',
  /** TLS server authentication (extended key usage). */
  SERVER_AUTH = 'server auth',
  /** TLS client authentication (extended key usage). */
  CLIENT_AUTH = 'client auth',
}
