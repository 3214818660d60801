// checkFleet reads a fleet's YAML files in another thread while it parses (src/consistency/file-texts.ts): the texts, their
// order and every read error must be exactly those of fs.readFileSync(file, 'utf8') in the caller's thread.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fileTexts } from '../src/consistency/file-texts';
import { readFleet } from '../src/consistency/fleet-index';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vault-pki-texts-'));
}

/** Files of every shape a read can meet, more than two batches of them. */
function oddFiles(dir: string): string[] {
  const contents: Buffer[] = [
    Buffer.from(''),
    Buffer.from('kind: A\n'),
    Buffer.from('\ufeffkind: B\n'),
    Buffer.from('name: "zürich – 東京 🚀"\n'),
    Buffer.from([0x6b, 0x3a, 0x20, 0xff, 0xfe, 0xc3, 0x0a]), // not UTF-8: replacement characters, as readFileSync gives
    Buffer.alloc(200_000, 'x'), // larger than a read buffer
  ];
  return Array.from({ length: 1234 }, (_, i) => {
    const file = path.join(dir, `f${String(i).padStart(5, '0')}.yaml`);
    fs.writeFileSync(file, i < contents.length ? contents[i] : `kind: C\nn: ${i}\n`);
    return file;
  });
}

describe('fileTexts', () => {
  test.each([['in the caller\'s thread', Infinity], ['by a reading thread', 0]])('reads every file as readFileSync does, in order (%s)', (_, parallelMin) => {
    const dir = tempDir();
    try {
      const files = oddFiles(dir);
      expect([...fileTexts(files, parallelMin)]).toEqual(files.map((f) => fs.readFileSync(f, 'utf8')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a slow caller reads every text as it was, however often the thread reuses its memory', () => {
    const dir = tempDir();
    try {
      const files = oddFiles(dir);
      const texts: string[] = [];
      // Batches of 3 files, 2 ahead, slots of 128 KB (a read needs 64 KB of room: the 200 KB file's batch goes to memory
      // of its own); the caller stops in the middle of batches, so the thread is always as far ahead as it may be.
      for (const text of fileTexts(files, 0, { batch: 3, ahead: 2, slot: 128 * 1024 })) {
        const until = Date.now() + (texts.length % 7 === 0 ? 2 : 0);
        while (Date.now() < until);
        texts.push(text);
      }
      expect(texts).toEqual(files.map((f) => fs.readFileSync(f, 'utf8')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('where no thread can start, the caller reads every file itself', () => {
    const dir = tempDir();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const spy = jest.spyOn(require('worker_threads'), 'Worker').mockImplementation(() => {
      throw new Error('ERR_WORKER_INIT_FAILED');
    });
    try {
      const files = oddFiles(dir);
      expect([...fileTexts(files, 0)]).toEqual(files.map((f) => fs.readFileSync(f, 'utf8')));
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file that cannot be read throws readFileSync\'s own error in its turn, after the files before it', () => {
    const dir = tempDir();
    try {
      const files = oddFiles(dir);
      const missing = path.join(dir, 'gone.yaml');
      const list = [...files.slice(0, 700), missing, ...files.slice(700)];
      let expected: unknown;
      try {
        fs.readFileSync(missing, 'utf8');
      } catch (e) {
        expected = e;
      }
      const seen: string[] = [];
      expect(() => {
        for (const text of fileTexts(list, 0)) seen.push(text);
      }).toThrow((expected as Error).message);
      expect(seen).toHaveLength(700);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readFleet', () => {
  test('reads the same fleet, and names the same broken file, whichever thread reads', () => {
    const root = tempDir();
    try {
      for (const [tree, clusters] of [['platform', ['east', 'west']], ['team', ['east']]] as const) {
        for (const cluster of clusters) {
          const dir = path.join(root, tree, 'gitops', 'clusters', cluster, 'ns');
          fs.mkdirSync(dir, { recursive: true });
          for (let i = 0; i < 700; i++) fs.writeFileSync(path.join(dir, `o${i}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${tree}-${i}\n`);
          fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: []\n');
        }
        fs.mkdirSync(path.join(root, tree, 'gitops', 'argocd'));
        fs.writeFileSync(path.join(root, tree, 'gitops', 'argocd', 'set.yaml'), `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: ${tree}\n`);
      }
      const dirs = ['platform', 'team'].map((t) => path.join(root, t, 'gitops'));
      const inThread = readFleet(dirs, Infinity);
      const parallel = readFleet(dirs, 0);
      expect(parallel).toEqual(inThread);
      expect(parallel.trees.map((t) => [t.name, [...t.clusters].map(([c, o]) => [c, o.length]), t.applicationSets.length])).toEqual([
        ['platform/gitops', [['east', 700], ['west', 700]], 1],
        ['team/gitops', [['east', 700]], 1],
      ]);
      const broken = path.join(root, 'team', 'gitops', 'clusters', 'east', 'ns', 'o5.yaml');
      fs.writeFileSync(broken, 'kind: [unclosed\n');
      expect(() => readFleet(dirs, 0)).toThrow(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
      expect(() => readFleet(dirs, Infinity)).toThrow(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
