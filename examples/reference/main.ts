// `npm run synth` (cdk8s synth) runs this: Kubernetes YAML into dist/, Terraform JSON into
// cdktf.out/stacks/vault/cdk.tf.json.
import { App } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
import { buildReferenceScenario } from './scenario';

const k8s = new App();
const tf = new TerraformApp();
buildReferenceScenario(k8s, tf);
k8s.synth();
tf.synth();
