// What a worker run reports to the driver.
import { Variant } from './scenarios';

/** What one synth run reports to the driver (times in ms, peak RSS in KiB). */
export interface WorkerResult {
  readonly variant: Variant;
  readonly clusters: number;
  readonly tenants: number;
  /** From process start (time origin) to the first line of this module: node's own start-up. */
  readonly bootMs: number;
  /** Loading the scenario's modules: the library (or not) plus cdk8s, cdktf and the providers. */
  readonly loadMs: number;
  /** Building the construct trees (both halves). */
  readonly buildMs: number;
  /** Writing the GitOps tree (library: GitOpsOutput.write, which also validates; baseline: its own writer). */
  readonly k8sWriteMs: number;
  /** cdktf App.synth(). */
  readonly tfSynthMs: number;
  /** process.resourceUsage().maxRSS after both outputs are written. */
  readonly maxRssKb: number;
  /** User + system CPU time of the whole process (every thread: GC helpers included). */
  readonly cpuMs: number;
  /** User + system CPU time of build + both writes (no start-up, no module loading). */
  readonly inProcessCpuMs: number;
}

/** What one ConsistencyCheck run reports to the driver. */
export interface ConsistencyResult {
  /** Loading the library. */
  readonly loadMs: number;
  /** ConsistencyCheck.checkFleet(): reading, parsing and checking both outputs. */
  readonly checkMs: number;
  /** Clusters checked. */
  readonly clusters: number;
  /** Kubernetes objects read and checked, over every cluster. */
  readonly objects: number;
  /** Terraform stacks (cdk.tf.json files) read. */
  readonly stacks: number;
  /** Terraform resources in those stacks. */
  readonly resources: number;
  /** Findings over every cluster (0: both halves agree). */
  readonly findings: number;
  /** The first few findings, as text. */
  readonly sample: string[];
  readonly maxRssKb: number;
  readonly cpuMs: number;
}

export const RESULT_PREFIX = 'BENCH_RESULT ';
