// What a worker run reports to the driver.
import { Variant } from './scenarios';

/** What one run reports to the driver (times in ms, peak RSS in KiB). */
export interface WorkerResult {
  readonly variant: Variant;
  readonly tenants: number;
  /** From process start (time origin) to the first line of this module: node's own start-up. */
  readonly bootMs: number;
  /** Loading the scenario's modules: the library (or not) plus cdk8s, cdktf and the providers. */
  readonly loadMs: number;
  /** Building the construct trees. */
  readonly buildMs: number;
  /** cdk8s App.synth(). */
  readonly k8sSynthMs: number;
  /** cdktf App.synth(). */
  readonly tfSynthMs: number;
  /** process.resourceUsage().maxRSS after synth. */
  readonly maxRssKb: number;
  /** User + system CPU time of the whole process (every thread: GC helpers included). */
  readonly cpuMs: number;
  /** User + system CPU time of build + both synths (no start-up, no module loading). */
  readonly inProcessCpuMs: number;
}

export const RESULT_PREFIX = 'BENCH_RESULT ';
