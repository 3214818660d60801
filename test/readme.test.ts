// The README is documentation users copy from: its quick start is the example CI runs as a consumer, and its tables
// list every alert, runbook and consistency rule the library has.
import * as fs from 'fs';
import * as path from 'path';
import { hierarchyOf, newScope, newTenant, objects, synthBoth } from './util';
import { ConsistencyCheck, PkiAlerts } from '../src';

const ROOT = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  test('the quick start is examples/quick-start/main.ts, importing the package', () => {
    const block = /<!-- quick-start:[^\n]*-->\n```ts\n([\s\S]*?)```\n<!-- \/quick-start -->/.exec(README);
    expect(block).not.toBeNull();
    const example = fs.readFileSync(path.join(ROOT, 'examples', 'quick-start', 'main.ts'), 'utf8');
    expect(example).toContain("from 'cdk8s-vault-pki';");
    expect(example).not.toMatch(/from '\.\.\//);
    expect(block![1]).toBe(example);
  });

  test('the Python quick start is examples/quick-start-python/main.py', () => {
    const block = /<!-- quick-start-python:[^\n]*-->\n```python\n([\s\S]*?)```\n<!-- \/quick-start-python -->/.exec(README);
    expect(block).not.toBeNull();
    expect(block![1]).toBe(fs.readFileSync(path.join(ROOT, 'examples', 'quick-start-python', 'main.py'), 'utf8'));
  });

  test('every consistency rule is listed with its description', () => {
    for (const rule of ConsistencyCheck.rules()) expect(README).toContain(`| \`${rule.id}\` | ${rule.description} |`);
  });

  test('every alert the library emits is in the alert table and has a runbook', () => {
    const scope = newScope();
    newTenant(scope);
    new PkiAlerts(scope.chart, 'alerts', { hierarchy: hierarchyOf(scope) });
    const rules = objects(synthBoth(scope).manifests, 'PrometheusRule', 'pki-pki-alerts')[0].spec.groups.flatMap((g: any) => g.rules);
    const runbooks = fs.readFileSync(path.join(ROOT, 'docs', 'runbooks.md'), 'utf8');
    const names = [...new Set(rules.filter((r: any) => r.alert).map((r: any) => r.alert as string))];
    expect(names.length).toBeGreaterThan(10);
    for (const name of [...names, 'VaultPkiRetiredGenerationSigns']) {
      expect([name, README.includes(`| \`${name}\` |`)]).toEqual([name, true]);
      expect([name, runbooks.includes(`\n## ${name}\n`)]).toEqual([name, true]);
    }
  });
});
