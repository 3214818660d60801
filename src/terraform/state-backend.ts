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

/**
 * Where a stack keeps its Terraform state, and how it is locked. One setting serves every stack of a program: each
 * stack gets its own state (key, prefix or workspace derived from the stack id), so the hierarchy's state and each
 * tenant shard's state stay apart and a tenant change never plans against the CA's state. Credentials are never in
 * code: Terraform reads them from the environment (AWS_*, GOOGLE_*, TF_TOKEN_*).
 */
export class StateBackend {
  /** A local state file next to `cdk.tf.json` (`terraform.<stack id>.tfstate`), with a relative path: for one operator. */
  public static local(): StateBackend {
    return new StateBackend('local', (stack, id) => new LocalBackend(stack, { path: `terraform.${id}.tfstate` }));
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
    ]);
  }

  /** Google Cloud Storage (locks natively). */
  public static gcs(options: GcsStateBackendOptions): StateBackend {
    return new StateBackend('gcs', (stack, id) => new GcsBackend(stack, {
      bucket: options.bucket,
      prefix: `${options.prefix ?? 'cdk8s-vault-pki'}/${id}`,
    }), () => (options.bucket ? [] : ["'bucket' is empty"]));
  }

  /** Terraform Cloud or Enterprise: one workspace per stack. */
  public static terraformCloud(options: TerraformCloudStateBackendOptions): StateBackend {
    return new StateBackend('cloud', (stack, id) => new CloudBackend(stack, {
      organization: options.organization,
      hostname: options.hostname,
      workspaces: new NamedCloudWorkspace(`${options.workspacePrefix ?? ''}${id}`),
    }), () => (options.organization ? [] : ["'organization' is empty"]));
  }

  /** No backend from the library: add your own to the stack (e.g. a cdktf `HttpBackend`). */
  public static none(): StateBackend {
    return new StateBackend('none', () => undefined);
  }

  private constructor(
    /** The kind of backend: `local`, `s3`, `gcs`, `cloud` or `none`. */
    public readonly kind: string,
    private readonly bind: (stack: TerraformStack, stackId: string) => unknown,
    private readonly check: () => string[] = () => [],
  ) {}

  /** Configures `stack` (whose id names its state). @internal */
  public _bind(stack: TerraformStack, stackId: string): void {
    this.bind(stack, stackId);
  }

  /** @internal */
  public _problems(prop: string): string[] {
    return this.check().map((p) => `'${prop}' (${this.kind}): ${p}`);
  }
}
