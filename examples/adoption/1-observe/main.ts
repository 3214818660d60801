// Adoption, phase '1-observe' (examples/adoption/phases.ts): Kubernetes YAML into dist/, Terraform JSON into cdktf.out/, and
// helm/cert-manager.values.yaml (cert-manager's approval for this phase) plus blackbox exporter's modules into helm/.
import { App } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
import { ApprovalPhase } from '../../../src';
import { buildAdoption, writeHelmValues } from '../phases';

const k8s = new App();
const tf = new TerraformApp();
const built = buildAdoption(k8s, tf, ApprovalPhase.OBSERVE);
k8s.synth();
tf.synth();
writeHelmValues(built);
