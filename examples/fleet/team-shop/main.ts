// A team program of the fleet: the shop team (payments, checkout) (its own repository; see program.ts). It reads the platform's
// fleet-contract.json, here from the platform program's output beside it (in CI: the platform's GitOps repository).
import * as path from 'path';
import { App } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
import { buildTeamShop, PROGRAM } from './program';
import { FleetContract, GitOpsOutput } from '../../../src';

const contract = FleetContract.fromFile(path.join('..', 'platform', 'gitops', 'fleet-contract.json'), { program: PROGRAM });
const tf = new TerraformApp();
const k8s = new App();
buildTeamShop(k8s, tf, contract);
GitOpsOutput.write(k8s, {
  outdir: 'gitops',
  contract,
  argoCd: { repoUrl: 'https://git.acme.internal/platform/pki-gitops.git', path: PROGRAM },
});
tf.synth();
