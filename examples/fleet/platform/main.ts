// The platform team's program (its own repository): the hierarchy, the clusters' Vault auth methods, and per
// cluster the trust bundle and the alerts. Terraform into cdktf.out/ (one stack, state in S3), manifests into
// gitops/ (one folder per cluster and namespace, an Argo CD ApplicationSet, inventory.json).
import { App } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
import { buildPlatform } from './program';
import { GitOpsOutput } from '../../../src';

const tf = new TerraformApp();
const k8s = new App();
buildPlatform(k8s, tf);
GitOpsOutput.write(k8s, {
  outdir: 'gitops',
  argoCd: { repoUrl: 'https://git.acme.internal/platform/pki-gitops.git', path: 'platform' },
});
tf.synth();
