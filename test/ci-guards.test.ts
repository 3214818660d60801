import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The steps of a projen task, as `npm run <task>` runs them. */
function taskSteps(name: string): any[] {
  const tasks = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.projen', 'tasks.json'), 'utf8')).tasks;
  return tasks[name].steps;
}

describe('npm test cannot pass by rewriting what it checks', () => {
  test('GIVEN a stale snapshot WHEN the jest command of `npm test` runs THEN it fails and leaves the snapshot alone', () => {
    const jestStep = taskSteps('test').find((s) => s.execArgs?.[0] === 'jest');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapshot-guard-'));
    fs.mkdirSync(path.join(dir, '__snapshots__'));
    fs.writeFileSync(path.join(dir, 'guard.test.js'), "test('output', () => { expect({ ttl: '30s' }).toMatchSnapshot(); });\n");
    const stale = '// Jest Snapshot v1, https://goo.gl/fbAQLP\n\nexports[`output 1`] = `\n{\n  "ttl": "30",\n}\n`;\n';
    const snapshot = path.join(dir, '__snapshots__', 'guard.test.js.snap');
    fs.writeFileSync(snapshot, stale);
    const jest = require.resolve('jest/bin/jest');
    const result = spawnSync(process.execPath, [jest, ...jestStep.execArgs.slice(1), '--config', JSON.stringify({ rootDir: dir, testMatch: ['**/*.test.js'] }), '--coverage=false'],
      { encoding: 'utf8', env: { ...process.env, CI: '' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/1 snapshot failed/);
    expect(fs.readFileSync(snapshot, 'utf8')).toBe(stale);
  });

  test('lint in `npm test` reports and never fixes', () => {
    const eslint = taskSteps('eslint').find((s) => s.execArgs?.[0] === 'eslint');
    expect(eslint.execArgs).not.toContain('--fix');
    expect(taskSteps('test').some((s) => s.spawn === 'eslint')).toBe(true);
  });
});

describe('jest\'s TypeScript transform (scripts/jest-transform.js)', () => {
  test('a stack trace points at the line of the TypeScript source it comes from', () => {
    // Type-only syntax on the lines above must not shift the lines below (sucrase keeps every line where it was).
    type Shape = { readonly a: number };
    const shape: Shape = { a: 1 } as Shape;
    const here = new Error('where').stack!.split('\n')[1];
    const line = fs.readFileSync(__filename, 'utf8').split('\n').findIndex((l) => l.includes("new Error('where')")) + shape.a;
    expect(here).toMatch(new RegExp(`ci-guards\\.test\\.ts:${line}:`));
  });
});

