// A tenant team's program (another repository): it imports the platform's hierarchy and clusters by their plain
// attributes and places its tenants on clusters. Terraform into cdktf.out/ (tenant shards, state in S3, apart from
// the CAs' state), manifests into gitops/. Apply after the platform's stack.
import { App } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
import { buildTenants } from './program';
import { GitOpsOutput } from '../../../src';

const tf = new TerraformApp();
const k8s = new App();
buildTenants(k8s, tf);
GitOpsOutput.write(k8s, {
  outdir: 'gitops',
  argoCd: { repoUrl: 'https://git.acme.internal/platform/pki-gitops.git', path: 'tenants' },
});
tf.synth();
