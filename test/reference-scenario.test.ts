import * as fs from 'fs';
import * as path from 'path';
import { synthesizeReference } from './reference-on-disk';
import { ConsistencyCheck } from '../src';

/** Every file under `dir`, relative path -> bytes. */
function readTree(dir: string, prefix = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) readTree(dir, rel).forEach((v, k) => out.set(k, v));
    else out.set(rel, fs.readFileSync(path.join(dir, rel)));
  }
  return out;
}

describe('reference scenario (examples/reference)', () => {
  const dir = synthesizeReference();
  const tfJson = path.join(dir, 'cdktf.out', 'stacks', 'vault', 'cdk.tf.json');

  test('writes Kubernetes YAML to dist/ and Terraform JSON that terraform can take as it is', () => {
    expect(fs.readdirSync(path.join(dir, 'dist'))).toEqual(['pki.k8s.yaml']);
    const terraform = JSON.parse(fs.readFileSync(tfJson, 'utf8'));
    expect(terraform.terraform.required_providers.vault).toEqual({ source: 'hashicorp/vault', version: '5.6.0' });
    expect(terraform.provider.vault).toEqual([{ address: 'https://vault.internal:8200' }]);
  });

  test('both outputs agree: the consistency check reads them from disk and finds nothing', () => {
    // Every stack of the program: the Vault stack and the cluster's CA publication stack.
    expect(ConsistencyCheck.checkOutputs(path.join(dir, 'dist'), path.join(dir, 'cdktf.out'))).toEqual([]);
  });

  test('no private key material anywhere in the outputs', () => {
    for (const [file, bytes] of readTree(dir)) {
      expect([file, /PRIVATE KEY/.test(bytes.toString('utf8'))]).toEqual([file, false]);
    }
  });

  test('portable: no output embeds the machine\'s paths', () => {
    for (const [file, bytes] of readTree(dir)) {
      const text = bytes.toString('utf8');
      expect([file, text.includes(process.cwd()) || text.includes(dir)]).toEqual([file, false]);
    }
  });

  test('deterministic: two synths of the same program are byte-identical', () => {
    const again = readTree(synthesizeReference());
    const first = readTree(dir);
    expect([...again.keys()]).toEqual([...first.keys()]);
    for (const [file, bytes] of first) expect([file, again.get(file)!.equals(bytes)]).toEqual([file, true]);
  });
});
