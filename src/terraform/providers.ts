/** cdktf and the provider classes the library uses (deep imports keep start-up fast). @internal */
import { TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
export {
  App as TerraformApp, Fn as TerraformFn, Lazy as TerraformLazy, TerraformLocal, TerraformResource,
  TerraformStack, TerraformVariable, Token as TerraformToken,
} from 'cdktf';
// terraform_data as cdktf's DataResource writes it, without its `terraform version` process per resource at synth.
export { TerraformDataResource } from './terraform-data';
export { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
export { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
export { AuthBackend } from '@cdktf/provider-vault/lib/auth-backend';
export { DataVaultGenericSecret } from '@cdktf/provider-vault/lib/data-vault-generic-secret';
export { DataVaultPkiSecretBackendIssuer } from '@cdktf/provider-vault/lib/data-vault-pki-secret-backend-issuer';
export { DataVaultPkiSecretBackendIssuers } from '@cdktf/provider-vault/lib/data-vault-pki-secret-backend-issuers';
export { DataVaultPkiSecretBackendKeys } from '@cdktf/provider-vault/lib/data-vault-pki-secret-backend-keys';
export { GenericEndpoint } from '@cdktf/provider-vault/lib/generic-endpoint';
export { KubernetesAuthBackendConfig } from '@cdktf/provider-vault/lib/kubernetes-auth-backend-config';
export { KubernetesAuthBackendRole } from '@cdktf/provider-vault/lib/kubernetes-auth-backend-role';
export { Mount } from '@cdktf/provider-vault/lib/mount';
export { PkiSecretBackendConfigIssuers } from '@cdktf/provider-vault/lib/pki-secret-backend-config-issuers';
export { PkiSecretBackendConfigAutoTidy } from '@cdktf/provider-vault/lib/pki-secret-backend-config-auto-tidy';
export { PkiSecretBackendConfigUrls } from '@cdktf/provider-vault/lib/pki-secret-backend-config-urls';
export { PkiSecretBackendCrlConfig } from '@cdktf/provider-vault/lib/pki-secret-backend-crl-config';
export { PkiSecretBackendIntermediateCertRequest } from '@cdktf/provider-vault/lib/pki-secret-backend-intermediate-cert-request';
export { PkiSecretBackendIntermediateSetSigned } from '@cdktf/provider-vault/lib/pki-secret-backend-intermediate-set-signed';
export { PkiSecretBackendIssuer } from '@cdktf/provider-vault/lib/pki-secret-backend-issuer';
export { PkiSecretBackendRole } from '@cdktf/provider-vault/lib/pki-secret-backend-role';
export { PkiSecretBackendRootCert } from '@cdktf/provider-vault/lib/pki-secret-backend-root-cert';
export { PkiSecretBackendRootSignIntermediate } from '@cdktf/provider-vault/lib/pki-secret-backend-root-sign-intermediate';
export { Policy as VaultPolicy } from '@cdktf/provider-vault/lib/policy';
export { VaultProvider } from '@cdktf/provider-vault/lib/provider';

/** The Terraform stack `construct` lives in, or undefined when it is not in one (TerraformStack.of throws). */
export function stackOf(construct: IConstruct): TerraformStack | undefined {
  return construct.node.scopes.slice().reverse().find((s) => TerraformStack.isStack(s)) as TerraformStack | undefined;
}
