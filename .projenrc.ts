import { cdk8s, javascript } from "projen";
const project = new cdk8s.ConstructLibraryCdk8s({
  author: "cdk8s-vault-pki maintainers",
  authorAddress: "maintainers@cdk8s-vault-pki.invalid",
  cdk8sVersion: "1.4.10",
  defaultReleaseBranch: "main",
  jsiiVersion: "~6.0.0",
  name: "cdk8s-vault-pki",
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  repositoryUrl: "https://github.com/cdk8s-vault-pki/cdk8s-vault-pki.git",

  // deps: [],                /* Runtime dependencies of this module. */
  // description: undefined,  /* The description is just a string that helps people understand the purpose of the package. */
  // devDeps: [],             /* Build dependencies for this module. */
  // packageName: undefined,  /* The "name" in package.json. */
});
project.synth();