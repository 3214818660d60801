// Test setup (jest setupFilesAfterEnv). cdktf records the full creation stack of every token it makes (no depth limit,
// thousands per synthesized program) and shows it only in a token resolution error; capturing and formatting those
// frames cost ~10% of the larger test files. Here a token records no creation stack, and every other capture on a plain
// object is left empty; stack traces of real errors keep jest's source mapping (failures point into the .ts files).
// Set CDK_VAULT_PKI_TOKEN_STACKS=1 to get the creation stacks back while debugging a token error.
if (!process.env.CDK_VAULT_PKI_TOKEN_STACKS) {
  // The module cdktf's tokens call through (`(0, stack_trace_1.captureStackTrace)()`): this test file's own instance.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('cdktf/lib/tokens/private/stack-trace').captureStackTrace = () => [];
  const mapped = Error.prepareStackTrace;
  if (mapped) Error.prepareStackTrace = (error: unknown, frames: NodeJS.CallSite[]) => (error instanceof Error ? mapped(error, frames) : '');
}
