/**
 * The only module that imports cdktf and the Terraform providers (an eslint rule keeps it so). cdktf is archived
 * upstream and its community successor is cdktn (CDK Terrain): switching is a change to this folder.
 * @internal
 */
export * from './providers';
export * from './state-backend';
