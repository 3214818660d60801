import { CloudBackend, GcsBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformStack } from 'cdktf';

/** Options of an S3 state backend. */
export interface S3StateBackendOptions {
  /** The bucket holding the state files. */
  readonly bucket: string;
  /** The bucket's region, e.g. `eu-central-1`. */
  readonly region: string;
  /**
   * DynamoDB table (partition key `LockID`) that locks each state while Terraform writes it.
   * Required: two concurrent applies of one stack would otherwise overwrite each other's state.
   */
  readonly dynamodbTable: string;
  /**
   * Folder of the state files in the bucket: each stack's state is `<keyPrefix>/<stack id>.tfstate`.
   * @default 'cdk8s-vault-pki'
   */
  readonly keyPrefix?: string;
}

/** Options of a Google Cloud Storage state backend (it locks natively). */
export interface GcsStateBackendOptions {
  /** The bucket holding the state files. */
  readonly bucket: string;
  /**
   * Folder in the bucket: each stack's state is under `<prefix>/<stack id>/`.
   * @default 'cdk8s-vault-pki'
   */
  readonly prefix?: string;
}

/** Options of a Terraform Cloud / Terraform Enterprise backend (a workspace per stack; runs lock the workspace). */
export interface TerraformCloudStateBackendOptions {
  /** The organization. */
  readonly organization: string;
  /**
   * Each stack's workspace is `<workspacePrefix><stack id>`.
   * @default ''
   */
  readonly workspacePrefix?: string;
  /**
   * Host name of Terraform Enterprise.
   * @default 'app.terraform.io'
   */
  readonly hostname?: string;
}

/** Options of a local state backend. */
export interface LocalStateBackendOptions {
  /**
   * Folder of the state files, relative to the folder that holds the Terraform output folder (`cdktf.out`): each
   * stack's state is `<directory>/<stack id>.tfstate`. Never inside `cdktf.out`, which every synthesis may rewrite and
   * which git ignores: a lost state makes Terraform create every CA again.
   * @default 'terraform-state'
   */
  readonly directory?: string;
}

/**
 * Where a stack keeps its Terraform state, and how it is locked. One setting serves every stack of a program: each
 * stack gets its own state (key, prefix or workspace derived from the stack id), so the hierarchy's state and each
 * tenant shard's state stay apart and a tenant change never plans against the CA's state. Credentials are never in
 * code: Terraform reads them from the environment (AWS_*, GOOGLE_*, TF_TOKEN_*).
 */
export class StateBackend {
  /**
   * A local state file for one operator: `<directory>/<stack id>.tfstate` next to the Terraform output folder
   * (`terraform-state/` beside `cdktf.out/`), written with a relative path (Terraform runs in
   * `cdktf.out/stacks/<stack id>/`), so the synthesized JSON embeds no machine path and the state outlives `cdktf.out`.
   * Commit nothing of it; use a remote backend (`s3`, `gcs`, `terraformCloud`) once more than one person or pipeline applies.
   */
  public static local(options: LocalStateBackendOptions = {}): StateBackend {
    const directory = (options.directory ?? 'terraform-state').replace(/\/+$/, '');
    const file = (id: string) => `${directory}/${id}.tfstate`;
    return new StateBackend('local', (stack, id) => new LocalBackend(stack, { path: `../../../${file(id)}` }), () => [
      ...(directory === '' ? ["'directory' is empty; give a folder, e.g. 'terraform-state'"] : []),
      ...(/(^|\/)\.\.?(\/|$)/.test(directory) || directory.startsWith('/')
        ? [`'directory' (${directory}) must be a relative folder without '.' or '..' segments, e.g. 'terraform-state'`] : []),
      ...(/^cdktf\.out(\/|$)/.test(directory) ? [`'directory' (${directory}) is inside cdktf.out, which every synthesis may rewrite; use e.g. 'terraform-state'`] : []),
    ], (id) => `local:${file(id)}`);
  }

  /** S3, locked with a DynamoDB table. */
  public static s3(options: S3StateBackendOptions): StateBackend {
    return new StateBackend('s3', (stack, id) => new S3Backend(stack, {
      bucket: options.bucket,
      region: options.region,
      key: `${options.keyPrefix ?? 'cdk8s-vault-pki'}/${id}.tfstate`,
      dynamodbTable: options.dynamodbTable,
      encrypt: true,
    }), () => [
      ...(options.dynamodbTable ? [] : ["'dynamodbTable' is empty; S3 state needs a lock table (partition key LockID)"]),
      ...(options.bucket ? [] : ["'bucket' is empty"]),
    ], (id) => `s3://${options.bucket}/${options.keyPrefix ?? 'cdk8s-vault-pki'}/${id}.tfstate`);
  }

  /** Google Cloud Storage (locks natively). */
  public static gcs(options: GcsStateBackendOptions): StateBackend {
    return new StateBackend('gcs', (stack, id) => new GcsBackend(stack, {
      bucket: options.bucket,
      prefix: `${options.prefix ?? 'cdk8s-vault-pki'}/${id}`,
    }), () => (options.bucket ? [] : ["'bucket' is empty"]), (id) => `gs://${options.bucket}/${options.prefix ?? 'cdk8s-vault-pki'}/${id}`);
  }

  /** Terraform Cloud or Enterprise: one workspace per stack. */
  public static terraformCloud(options: TerraformCloudStateBackendOptions): StateBackend {
    return new StateBackend('cloud', (stack, id) => new CloudBackend(stack, {
      organization: options.organization,
      hostname: options.hostname,
      workspaces: new NamedCloudWorkspace(`${options.workspacePrefix ?? ''}${id}`),
    }), () => (options.organization ? [] : ["'organization' is empty"]),
    (id) => `cloud://${options.hostname ?? 'app.terraform.io'}/${options.organization}/${options.workspacePrefix ?? ''}${id}`);
  }

  /** No backend from the library: add your own to the stack (e.g. a cdktf `HttpBackend`). */
  public static none(): StateBackend {
    return new StateBackend('none', () => undefined, () => [], () => undefined);
  }

  private constructor(
    /** The kind of backend: `local`, `s3`, `gcs`, `cloud` or `none`. */
    public readonly kind: string,
    private readonly bind: (stack: TerraformStack, stackId: string) => unknown,
    private readonly check: () => string[],
    private readonly locate: (stackId: string) => string | undefined,
  ) {}

  /**
   * Where the state of the stack `stackId` lives, as one comparable string (`s3://<bucket>/<key>`,
   * `gs://<bucket>/<prefix>`, `cloud://<host>/<organization>/<workspace>`, `local:<path>`), or undefined for `none()`:
   * two stacks with the same location would overwrite each other's state.
   */
  public stateLocation(stackId: string): string | undefined {
    return this.locate(stackId);
  }

  /** Configures `stack` (whose id names its state). @internal */
  public _bind(stack: TerraformStack, stackId: string): void {
    this.bind(stack, stackId);
  }

  /** @internal */
  public _problems(prop: string): string[] {
    return this.check().map((p) => `'${prop}' (${this.kind}): ${p}`);
  }
}
