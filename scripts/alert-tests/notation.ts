// promtool's input notation: series selectors, expanded sample values and durations.
// Time is in seconds since the start of a test group: promtool evaluates from the Unix epoch, so `time()` is that number.

/** A label set. */
export type Labels = Readonly<Record<string, string>>;

export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86400;

/** `metric{a="1", b="2"}` with label values escaped as PromQL strings; labels sorted for stable output. */
export function selector(metric: string, labels: Labels): string {
  const pairs = Object.keys(labels).sort().map((name) => `${name}=${JSON.stringify(labels[name])}`);
  return `${metric}{${pairs.join(', ')}}`;
}

/** The same label set without `names`. */
export function without(labels: Labels, ...names: string[]): Labels {
  return Object.fromEntries(Object.entries(labels).filter(([name]) => !names.includes(name)));
}

/** Only `names` of the label set (each must be present). */
export function only(labels: Labels, ...names: string[]): Labels {
  return Object.fromEntries(names.map((name) => {
    const value = labels[name];
    if (value === undefined) throw new Error(`label '${name}' missing from ${JSON.stringify(labels)}`);
    return [name, value];
  }));
}

/**
 * promtool's expanding notation for the samples `value(0), value(step), ... value(until)`; `undefined` is
 * no sample. Runs of equal values are written `v+0xN` (N+1 samples) and gaps `_xN` (N samples).
 */
export function sampleValues(step: number, until: number, value: (t: number) => number | undefined): string {
  if (step <= 0 || until < 0 || until % step !== 0) throw new Error(`bad sampling: step ${step}s until ${until}s`);
  const runs: { value: number | undefined; count: number }[] = [];
  for (let t = 0; t <= until; t += step) {
    const v = value(t);
    if (v !== undefined && !Number.isFinite(v)) throw new Error(`sample at ${t}s is not a finite number: ${v}`);
    const last = runs[runs.length - 1];
    if (last && last.value === v) last.count++;
    else runs.push({ value: v, count: 1 });
  }
  return runs.map(({ value: v, count }) => {
    if (v === undefined) return count === 1 ? '_' : `_x${count}`;
    return count === 1 ? `${v}` : `${v}+0x${count - 1}`;
  }).join(' ');
}

/** A duration promtool parses (`0s`, `18h6m`, `1h0m30s` is written `1h30s`). */
export function duration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`bad duration: ${seconds}s`);
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / HOUR);
  const m = Math.floor((seconds % HOUR) / MINUTE);
  const s = seconds % MINUTE;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
