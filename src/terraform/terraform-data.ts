import { anyToHclTerraform, anyToTerraform, DataConfig, hashMapper, hashMapperHcl, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';

/**
 * Terraform's built-in `terraform_data` resource, written exactly as cdktf's `DataResource` writes it (type, generator
 * metadata, meta-arguments, `input` and `triggers_replace`), without the synth-time check `DataResource` adds to each
 * one: it runs `terraform version` in a child process once per resource at every synthesis (hundreds of milliseconds
 * each, most of a small program's synth, and an error where no terraform binary is installed). The stacks that hold
 * these resources require Terraform >= 1.5.0 themselves (`required_version`), which terraform checks at every plan.
 * @internal
 */
export class TerraformDataResource extends TerraformResource {
  private readonly input?: { [key: string]: any };
  private readonly triggersReplace?: { [key: string]: any };

  constructor(scope: Construct, id: string, config: DataConfig = {}) {
    super(scope, id, {
      terraformResourceType: 'terraform_data',
      terraformGeneratorMetadata: { providerName: 'terraform' },
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      provisioners: config.provisioners,
      connection: config.connection,
      forEach: config.forEach,
    });
    this.input = config.input;
    this.triggersReplace = config.triggersReplace;
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      input: hashMapper(anyToTerraform)(this.input),
      triggers_replace: hashMapper(anyToTerraform)(this.triggersReplace),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    return {
      input: hashMapperHcl(anyToHclTerraform)(this.input),
      triggers_replace: hashMapperHcl(anyToHclTerraform)(this.triggersReplace),
    };
  }
}
