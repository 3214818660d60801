// Rotation phase 'compromise/2-revoke': the reference scenario with the CAs' generations of phase COMPROMISE_REVOKE (examples/rotation/phases.ts).
// Kubernetes YAML into dist/, Terraform JSON into cdktf.out/stacks/vault/; then `terraform apply` and let GitOps sync.
import { App } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
import { buildReferenceScenario } from '../../../reference/scenario';
import { COMPROMISE_REVOKE } from '../../phases';

const k8s = new App();
const tf = new TerraformApp();
buildReferenceScenario(k8s, tf, COMPROMISE_REVOKE);
k8s.synth();
tf.synth();
