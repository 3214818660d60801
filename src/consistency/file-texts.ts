import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { readText } from './manifest-reader';

/** From this many files on, a worker thread reads them while the caller parses (below it, starting one costs more). */
export const PARALLEL_READ_MIN = 1000;
/** Files per message from the reading thread. */
const BATCH = 500;
/** Batches the reading thread may be ahead of the caller (it waits beyond: the texts read but not parsed stay few). */
const AHEAD = 16;
/** How long the caller waits for the reading thread without any news before it reads the rest itself. */
const STALL_MS = 30_000;

/**
 * The reading thread (plain JavaScript, evaluated: nothing to resolve, so it runs the same from lib/ and from the sources
 * under a test runner). It reads the files in order, a batch at a time, into one transferred buffer per batch, posts
 * the batch and wakes the caller, at most AHEAD batches ahead of it. A file it cannot read is marked, and the caller
 * reads it again itself, so the error is exactly the one of a read in the caller's thread.
 */
const READER = `
const { workerData } = require('worker_threads');
const fs = require('fs');
const { port, files, signal, batch, ahead } = workerData;
// [0]: batches posted, [1]: batches the caller took.
const counts = new Int32Array(signal);
const CHUNK = 1 << 16;
for (let start = 0, n = 0; start < files.length; start += batch, n++) {
  for (let taken = Atomics.load(counts, 1); n - taken >= ahead; taken = Atomics.load(counts, 1)) Atomics.wait(counts, 1, taken, 1000);
  const count = Math.min(batch, files.length - start);
  const ends = new Float64Array(count);
  const failed = [];
  let data = Buffer.allocUnsafeSlow(count * 1024 + CHUNK);
  let total = 0;
  const room = (bytes) => {
    if (data.length - total >= bytes) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(data.length * 2, total + bytes));
    data.copy(grown, 0, 0, total);
    data = grown;
  };
  for (let i = 0; i < count; i++) {
    // Straight into the batch: open, read, close (a file that fills the chunk is read again whole, fstat and all).
    let fd;
    try {
      fd = fs.openSync(files[start + i], 'r');
      room(CHUNK);
      const read = fs.readSync(fd, data, total, CHUNK, 0);
      if (read < CHUNK) {
        total += read;
      } else {
        const whole = fs.readFileSync(files[start + i]);
        room(whole.length);
        whole.copy(data, total);
        total += whole.length;
      }
    } catch {
      failed.push(i);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
    ends[i] = total;
  }
  const out = data.buffer.slice(0, total);
  port.postMessage({ start, data: out, ends, failed }, [out, ends.buffer]);
  Atomics.add(counts, 0, 1);
  Atomics.notify(counts, 0);
}
`;

/**
 * The UTF-8 text of each of `files`, in order, as `fs.readFileSync(file, 'utf8')` reads it (a file that cannot be read
 * throws as that read throws, when its turn comes). From `parallelMin` files on, another thread does the reading
 * (open, read, close: about half the time of checking a fleet) while the caller parses what it already has; the
 * caller stays synchronous (it blocks on `Atomics.wait` only when the next batch is not there yet).
 * @internal
 */
export function* fileTexts(files: readonly string[], parallelMin: number = PARALLEL_READ_MIN): Generator<string> {
  if (files.length < parallelMin || files.length === 0) {
    for (const file of files) yield readText(file);
    return;
  }
  const signal = new SharedArrayBuffer(8);
  const counts = new Int32Array(signal);
  const { port1, port2 } = new MessageChannel();
  let worker: Worker;
  try {
    worker = new Worker(READER, { eval: true, workerData: { port: port2, files, signal, batch: BATCH, ahead: AHEAD }, transferList: [port2] });
  } catch {
    // No thread here (a runtime that forbids them, a limit reached): the caller reads every file itself.
    port1.close();
    port2.close();
    for (const file of files) yield readText(file);
    return;
  }
  worker.unref();
  // A reading thread that fails goes silent, and the caller reads the rest itself (below): nothing to report here.
  worker.on('error', () => undefined);
  let next = 0;
  try {
    for (let received = 0; next < files.length; received++) {
      const batch = receiveBatch(port1, counts, received);
      if (batch === undefined) break;
      Atomics.add(counts, 1, 1);
      Atomics.notify(counts, 1);
      const bytes = Buffer.from(batch.data);
      const failed = new Set(batch.failed);
      for (let i = 0; i < batch.ends.length; i++, next++) {
        yield failed.has(i) ? readText(files[next]) : bytes.toString('utf8', i === 0 ? 0 : batch.ends[i - 1], batch.ends[i]);
      }
    }
    // The reading thread went silent (it could not start, or died): the caller reads the rest itself.
    for (; next < files.length; next++) yield readText(files[next]);
  } finally {
    port1.close();
    void worker.terminate();
  }
}

interface Batch {
  readonly data: ArrayBuffer;
  readonly ends: Float64Array;
  readonly failed: number[];
}

/** The next batch, waiting while the reading thread has posted only `received`; undefined when it stalls. */
function receiveBatch(port: MessagePort, counts: Int32Array, received: number): Batch | undefined {
  const deadline = Date.now() + STALL_MS;
  for (;;) {
    const message = receiveMessageOnPort(port);
    if (message !== undefined) return message.message as Batch;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    Atomics.wait(counts, 0, received, left);
  }
}
