// Reads a V8 `.cpuprofile` (node --cpu-prof) and summarizes where the time went: the top
// self-time functions, self time by package, and the inclusive time of the library's own
// functions, with lib/*.js positions mapped back to src/*.ts through the inline source maps.
import * as fs from 'fs';
import { SourceMap } from 'module';
import * as path from 'path';
import { fileURLToPath } from 'url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** One row of a summary: a function (or package) and its time. */
export interface ProfileRow {
  readonly name: string;
  readonly where: string;
  readonly ms: number;
  readonly percent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly topSelf: ProfileRow[];
  readonly byPackage: ProfileRow[];
  /** Self time of functions defined in the library (lib/ mapped to src/). */
  readonly librarySelf: ProfileRow[];
  /** Inclusive time of functions defined in the library (lib/ mapped to src/), recursion counted once. */
  readonly libraryInclusive: ProfileRow[];
}

/**
 * Summarizes `file`. `root` is the repository root: frames under `<root>/lib/` are the library's.
 */
export function summarizeProfile(file: string, root: string, top = 25): ProfileSummary {
  const profile: CpuProfile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const locate = new Locator(root);

  // Self time per node: each sample lasts until the next one (V8's timeDeltas[i] precedes sample i).
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const totalMs = [...self.values()].reduce((a, b) => a + b, 0);
  const percent = (ms: number) => (100 * ms) / totalMs;

  const keyOf = (frame: CallFrame) => `${functionLabel(frame)}\u0000${locate.where(frame)}`;
  const rows = (m: Map<string, number>, limit: number): ProfileRow[] => [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, ms]) => {
      const [name, where] = key.split('\u0000');
      return { name, where: where ?? '', ms, percent: percent(ms) };
    });

  const selfByFunction = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  const librarySelf = new Map<string, number>();
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame;
    const key = keyOf(frame);
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + ms);
    if (locate.isLibrary(frame)) librarySelf.set(key, (librarySelf.get(key) ?? 0) + ms);
    const pkg = locate.area(frame);
    selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + ms);
  }

  // Inclusive time of library functions: subtree totals, each function counted once per stack.
  const subtree = new Map<number, number>();
  const totalOf = (id: number): number => {
    const cached = subtree.get(id);
    if (cached !== undefined) return cached;
    const node = byId.get(id)!;
    const sum = (self.get(id) ?? 0) + (node.children ?? []).reduce((acc, c) => acc + totalOf(c), 0);
    subtree.set(id, sum);
    return sum;
  };
  const inclusive = new Map<string, number>();
  const rootNode = profile.nodes[0];
  const stack: Array<{ id: number; active: Set<string> }> = [{ id: rootNode.id, active: new Set() }];
  while (stack.length > 0) {
    const { id, active } = stack.pop()!;
    const frame = byId.get(id)!.callFrame;
    let next = active;
    if (locate.isLibrary(frame)) {
      const key = keyOf(frame);
      if (!active.has(key)) {
        inclusive.set(key, (inclusive.get(key) ?? 0) + totalOf(id));
        next = new Set(active).add(key);
      }
    }
    for (const child of byId.get(id)!.children ?? []) stack.push({ id: child, active: next });
  }

  return {
    totalMs,
    topSelf: rows(selfByFunction, top),
    byPackage: rows(selfByPackage, 15),
    librarySelf: rows(librarySelf, top),
    libraryInclusive: rows(inclusive, top),
  };
}

/** A frame's function name; a nameless frame at the very start of a file is the module's top level. */
function functionLabel(frame: CallFrame): string {
  if (frame.functionName) return frame.functionName;
  return frame.url && frame.lineNumber === 0 && frame.columnNumber === 0 ? '(module top level)' : '(anonymous)';
}

/** Turns call frames into readable places: `node_modules/cdk8s/lib/resolve.js:12`, `src/tenants/tenant-issuer.ts:210`. */
class Locator {
  private readonly libDir: string;
  private readonly maps = new Map<string, SourceMap | undefined>();

  constructor(private readonly root: string) {
    this.libDir = path.join(root, 'lib') + path.sep;
  }

  public isLibrary(frame: CallFrame): boolean {
    return this.file(frame).startsWith(this.libDir);
  }

  /** The package or area a frame belongs to. */
  public area(frame: CallFrame): string {
    const file = this.file(frame);
    if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
    if (file.startsWith('node:')) return 'node (built-in)';
    if (file.startsWith(this.libDir)) return 'cdk8s-vault-pki (lib/)';
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    if (m) return m[1];
    return path.relative(this.root, file);
  }

  public where(frame: CallFrame): string {
    const file = this.file(frame);
    if (!frame.url) return '';
    const line = frame.lineNumber + 1;
    if (file.startsWith(this.libDir)) {
      const mapped = this.original(file, frame.lineNumber, frame.columnNumber);
      if (mapped) return mapped;
    }
    const m = /node_modules\/(.*)$/.exec(file);
    const shown = m ? m[1] : (file.startsWith('node:') ? file : path.relative(this.root, file));
    return `${shown}:${line}`;
  }

  private file(frame: CallFrame): string {
    if (frame.url.startsWith('file://')) return fileURLToPath(frame.url);
    return frame.url;
  }

  /** `src/x.ts:line` of a lib/ position, from the inline source map jsii writes. */
  private original(file: string, line: number, column: number): string | undefined {
    if (!this.maps.has(file)) this.maps.set(file, loadInlineSourceMap(file));
    const map = this.maps.get(file);
    if (!map) return undefined;
    const entry = map.findEntry(line, column) as { originalSource?: string; originalLine?: number };
    if (!entry || entry.originalSource === undefined || entry.originalLine === undefined) return undefined;
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : entry.originalSource;
    const resolved = path.isAbsolute(source) ? source : path.resolve(path.dirname(file), source);
    return `${path.relative(this.root, resolved)}:${entry.originalLine + 1}`;
  }
}

function loadInlineSourceMap(file: string): SourceMap | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const m = /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/.exec(text);
    if (!m) return undefined;
    return new SourceMap(JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')));
  } catch {
    return undefined;
  }
}
