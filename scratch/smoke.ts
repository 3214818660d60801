import { App, Chart, Duration } from 'cdk8s';
import { App as TfApp, Testing } from 'cdktf';
import { PkiHierarchy, VaultPkiStack } from '../src';
const k8s = new App();
const tf = new TfApp({ outdir: '/tmp/smoke-out' });
const vault = new VaultPkiStack(tf, 'vault', { address: 'https://vault.internal:8200' });
const chart = new Chart(k8s, 'pki');
const pki = new PkiHierarchy(chart, 'pki', {
  vault,
  root: { commonName: 'acme-root-ca' },
  intermediates: [
    { name: 'services', domains: ['services.internal'] },
    { name: 'mtls', domains: ['mtls.internal'], ttl: Duration.days(180) },
  ],
});
console.log(pki.intermediate('services').mountPath);
console.log(Testing.synth(vault, true));
