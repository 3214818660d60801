// `cdk8s-vault-pki check` (src/consistency/cli*.ts) and ConsistencyCheck.checkOutputs on outputs synthesized to disk
// the way a program writes them (dist/ from cdk8s, cdktf.out/ with its manifest.json from cdktf).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App as TerraformApp } from 'cdktf';
import { loadAll } from 'js-yaml';
import { synthesizeReference } from './reference-on-disk';
import { ConsistencyCheck, PkiValidationError, VaultPkiStack, VaultServerCa } from '../src';
import { commands, main, registerCommand } from '../src/consistency/cli';
import { CliCommand } from '../src/consistency/cli-command';

let reference: string;
beforeAll(() => {
  reference = synthesizeReference(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-reference-')));
});
afterAll(() => fs.rmSync(reference, { recursive: true, force: true }));

/** A fresh copy of the reference outputs to change. */
function copyOfReference(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-copy-'));
  fs.cpSync(reference, dir, { recursive: true });
  return dir;
}

/** Runs the command line in `cwd`, capturing what it prints. */
function cli(cwd: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = main(argv, { cwd, out: (t) => out.push(t), err: (t) => err.push(t) });
  return { status, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** A stack folder an earlier synthesis left in cdktf.out/ (manifest.json no longer lists it): a copy of the Vault stack. */
function leaveStaleStack(dir: string): void {
  fs.cpSync(path.join(dir, 'cdktf.out', 'stacks', 'vault'), path.join(dir, 'cdktf.out', 'stacks', 'vault-renamed-since'), { recursive: true });
}

describe('ConsistencyCheck.checkOutputs', () => {
  test('GIVEN a stale stack folder in cdktf.out/ that manifest.json does not list WHEN checked THEN it is not read (no finding)', () => {
    const dir = copyOfReference();
    leaveStaleStack(dir);
    // Read as a stack, the copy declares every Vault role and issuer a second time on the same mounts: findings.
    const both = ['vault', 'vault-renamed-since'].map((s) => JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', s, 'cdk.tf.json'), 'utf8')));
    const objects = fs.readdirSync(path.join(dir, 'dist')).flatMap((f) => loadAll(fs.readFileSync(path.join(dir, 'dist', f), 'utf8')));
    expect(ConsistencyCheck.check(objects, both).length).toBeGreaterThan(0);

    expect(ConsistencyCheck.checkOutputs(path.join(dir, 'dist'), path.join(dir, 'cdktf.out'))).toEqual([]);
    fs.rmSync(dir, { recursive: true });
  });

  test('GIVEN a manifest.json listing a stack whose file is missing WHEN checked THEN it fails naming the stack', () => {
    const dir = copyOfReference();
    fs.rmSync(path.join(dir, 'cdktf.out', 'stacks', 'vault'), { recursive: true });
    expect(() => ConsistencyCheck.checkOutputs(path.join(dir, 'dist'), path.join(dir, 'cdktf.out'))).toThrow(/stack 'vault' lists stacks\/vault\/cdk.tf.json, which does not exist/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('cdk8s-vault-pki check', () => {
  test('GIVEN consistent outputs WHEN checked THEN exit 0 and one ok line', () => {
    const result = cli(reference, 'check', '.');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ok \.: 0 finding\(s\)$/m);
    expect(result.stdout).toMatch(/1 output\(s\) checked with \d+ rules: 0 finding\(s\)/);
  });

  test('GIVEN a parent folder WHEN checked THEN every program output under it is found', () => {
    const result = cli(path.dirname(reference), 'check', path.basename(reference));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`ok ${path.basename(reference)}: 0 finding(s)`);
  });

  test('GIVEN a broken reference WHEN checked as JSON THEN exit 1 and {"findings": [{rule, object, message, program}]}', () => {
    const dir = copyOfReference();
    const file = path.join(dir, 'dist', fs.readdirSync(path.join(dir, 'dist'))[0]);
    const yaml = fs.readFileSync(file, 'utf8');
    expect(yaml).toContain('path: pki-int-services/sign/payments-vault-services');
    fs.writeFileSync(file, yaml.replace('path: pki-int-services/sign/payments-vault-services', 'path: pki-int-mtls/sign/payments-vault-services'));
    const result = cli(dir, 'check', '--format', 'json');
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'issuer-path', object: 'Issuer payments/vault-services', program: '.' }));
    expect(Object.keys(report.findings[0]).sort()).toEqual(['message', 'object', 'program', 'rule']);
    expect(report.outputs).toEqual([{ program: '.', findings: report.findings.length }]);

    const text = cli(dir, 'check', '.');
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/^!! \.: \d+ finding\(s\)$/m);
    expect(text.stdout).toMatch(/^ {3}issuer-path: Issuer payments\/vault-services: /m);

    const skipped = cli(dir, 'check', '.', '--skip', 'issuer-path', '--skip', 'issuer-policy');
    expect(skipped.stdout).not.toContain('issuer-path:');
    fs.rmSync(dir, { recursive: true });
  });

  test('GIVEN a stale stack folder WHEN checked THEN it is not read', () => {
    const dir = copyOfReference();
    leaveStaleStack(dir);
    expect(cli(dir, 'check', '.').status).toBe(0);
    fs.rmSync(dir, { recursive: true });
  });

  test('GIVEN --cluster WHEN the Issuers log in through another cluster\'s mount THEN issuer-cluster findings', () => {
    const result = cli(reference, 'check', '.', '--cluster', 'elsewhere', '--format=json');
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout).findings.map((f: any) => f.rule)).toContain('issuer-cluster');
  });

  test('GIVEN outputs where cdk8s.yaml and cdktf.json name other folders WHEN checked THEN those are read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-config-'));
    fs.cpSync(path.join(reference, 'dist'), path.join(dir, 'manifests'), { recursive: true });
    fs.cpSync(path.join(reference, 'cdktf.out'), path.join(dir, 'tf'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'language: typescript\napp: npx tsx main.ts\noutput: manifests\n');
    fs.writeFileSync(path.join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'npx tsx main.ts', output: 'tf' }));
    expect(cli(dir, 'check').status).toBe(0);
    fs.rmSync(dir, { recursive: true });
  });

  test.each([
    ['a path that does not exist', ['check', 'nowhere'], /nowhere does not exist/],
    ['a folder without outputs', ['check', 'empty'], /no synthesized output here or below/],
    ['an unknown format', ['check', '--format', 'yaml'], /--format must be text or json/],
    ['an unknown rule', ['check', '--skip', 'no-such-rule'], /unknown rule no-such-rule/],
    ['an unknown option', ['check', '--verbose'], /unknown option --verbose/],
    ['an option without its value', ['check', '--cluster'], /--cluster needs a value/],
    ['an unknown command', ['nope'], /unknown command 'nope'/],
    ['no command', [], /Usage: cdk8s-vault-pki <command>/],
  ])('GIVEN %s THEN exit 2 with a message on stderr', (_, argv, message) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-usage-'));
    fs.mkdirSync(path.join(dir, 'empty'));
    const result = cli(dir, ...argv);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    fs.rmSync(dir, { recursive: true });
  });

  test('GIVEN unreadable output WHEN checked THEN exit 2 naming the file', () => {
    const dir = copyOfReference();
    fs.writeFileSync(path.join(dir, 'cdktf.out', 'manifest.json'), '{ not json');
    const result = cli(dir, 'check');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('manifest.json');
    fs.rmSync(dir, { recursive: true });
  });

  test('--help prints the command\'s usage; the command table lists check and takes another command', () => {
    expect(cli(reference, 'check', '--help')).toEqual(expect.objectContaining({ status: 0, stdout: expect.stringContaining('Exit status: 0 no finding, 1 findings, 2') }));
    expect(cli(reference, '--help').stdout).toMatch(/^ {2}check {2}/m);
    const probe: CliCommand = { name: 'probe-test', summary: 'a test command', help: 'probe', run: (args, io) => { io.out(args.join(',')); return 7; } };
    registerCommand(probe);
    expect(commands().map((c) => c.name)).toEqual(['audit', 'check', 'probe-test']);
    expect(cli(reference, 'probe-test', 'a', 'b')).toEqual({ status: 7, stdout: 'a,b', stderr: '' });
    expect(() => registerCommand(probe)).toThrow(/already registered/);
  });
});

describe('the package root', () => {
  test('exports PkiValidationError, the class every construct throws for input out of policy', () => {
    expect(() => new VaultPkiStack(new TerraformApp(), 'vault', { address: 'vault.internal', serverCa: VaultServerCa.systemTrust() }))
      .toThrow(PkiValidationError);
  });

  test('package.json names the command line, whose file runs the compiled CLI', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ 'cdk8s-vault-pki': 'bin/cdk8s-vault-pki' });
    const bin = fs.readFileSync(path.join(__dirname, '..', pkg.bin['cdk8s-vault-pki']), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(bin).toContain("require('../lib/consistency/cli').main(process.argv.slice(2))");
  });
});
