// Rotation phase '1-prepare': the reference scenario with the CAs' generations of phase PREPARE (examples/rotation/phases.ts).
// Kubernetes YAML into dist/, Terraform JSON into cdktf.out/stacks/vault/; then `terraform apply` and let GitOps sync.
import { App } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
import { buildReferenceScenario } from '../../reference/scenario';
import { PREPARE } from '../phases';

const k8s = new App();
const tf = new TerraformApp();
buildReferenceScenario(k8s, tf, PREPARE);
k8s.synth();
tf.synth();
