import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
import { buildReferenceScenario } from '../examples/reference/scenario';

/**
 * Synthesizes the reference scenario the way `npm run synth` does: its YAML into `<dir>/dist`, its Terraform into
 * `<dir>/cdktf.out` (`dir`: a fresh temporary folder by default). Returns `dir`.
 */
export function synthesizeReference(dir: string = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-pki-'))): string {
  const k8s = new App({ outdir: path.join(dir, 'dist') });
  const tf = new TerraformApp({ outdir: path.join(dir, 'cdktf.out') });
  buildReferenceScenario(k8s, tf);
  k8s.synth();
  tf.synth();
  return dir;
}
