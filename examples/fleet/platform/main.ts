// The platform team's program (its own repository): see program.ts. Writes gitops/ (with fleet-contract.json, which
// the team programs read) and cdktf.out/. Apply the CA stack (pki-platform) first, then each cluster's publication
// stack (pki-platform-ca-<cluster>), then let Argo CD sync.
import { App } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
import { buildPlatform } from './program';
import { GitOpsOutput } from '../../../src';

const tf = new TerraformApp();
const k8s = new App();
const { contract } = buildPlatform(k8s, tf);
GitOpsOutput.write(k8s, {
  outdir: 'gitops',
  contract,
  argoCd: { repoUrl: 'https://git.acme.internal/platform/pki-gitops.git', path: 'platform' },
});
tf.synth();
