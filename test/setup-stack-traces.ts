// Test setup (jest setupFilesAfterEnv): stack traces of real errors keep jest's source mapping (failure messages point
// into the .ts files); every other capture is formatted plainly. cdktf records the full creation stack of each token it
// makes (Error.captureStackTrace on a plain object), thousands per synthesized program, which it shows only in a token
// error; mapping each of those frames through the source maps cost a third of the time of the larger test files.
const mapped = Error.prepareStackTrace;
if (mapped) {
  Error.prepareStackTrace = (error: unknown, frames: NodeJS.CallSite[]) => (error instanceof Error
    ? mapped(error, frames)
    : `${String(error)}${frames.map((frame) => `\n    at ${frame}`).join('')}`);
}
