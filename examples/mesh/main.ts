// The mesh example: Kubernetes YAML into dist/, Terraform JSON into cdktf.out/, and the Helm values of csi-driver-spiffe
// and istio-csr plus the IstioOperator into helm/ (see the README, "Keys that never touch the disk").
import * as fs from 'fs';
import { App, Yaml } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
import { buildMeshScenario } from './scenario';

const k8s = new App();
const tf = new TerraformApp();
const { spiffe, istioCsr } = buildMeshScenario(k8s, tf);
k8s.synth();
tf.synth();
fs.mkdirSync('helm', { recursive: true });
fs.writeFileSync('helm/csi-driver-spiffe.values.yaml', Yaml.stringify(spiffe.helmValues));
fs.writeFileSync('helm/istio-csr.values.yaml', Yaml.stringify(istioCsr.helmValues));
fs.writeFileSync('helm/istio-operator.yaml', Yaml.stringify(istioCsr.istioOperator));
