import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { readText } from './manifest-reader';

/** From this many files on, a worker thread reads them while the caller parses (below it, starting one costs more). */
export const PARALLEL_READ_MIN = 1000;
/** Files per message from the reading thread. */
const BATCH = 500;
/** Batches the reading thread may be ahead of the caller (it waits beyond: the texts read but not parsed stay few). */
const AHEAD = 16;
/**
 * Bytes of each of the AHEAD + 1 slots of shared memory the thread reads batches into, each slot reused once the caller
 * is done with the batch in it (fresh memory per batch cost a page fault per 4 KB read, ~30,000 for 120,000 files).
 */
const SLOT = 1024 * 1024;
/** How long the caller waits for the reading thread without any news before it reads the rest itself. */
const STALL_MS = 30_000;

/**
 * The reading thread (plain JavaScript, evaluated: nothing to resolve, so it runs the same from lib/ and from the sources
 * under a test runner). It starts with the first files and takes the others as the caller finds them (the caller walks
 * the folders while this thread reads). It reads the files in order, a batch at a time, into the batch's slot of shared
 * memory (a batch larger than a slot into memory of its own, transferred), posts the batch and wakes the caller, at most
 * AHEAD batches ahead of it. A file it cannot read is marked, and the caller
 * reads it again itself, so the error is exactly the one of a read in the caller's thread.
 */
const READER = `
const { receiveMessageOnPort, workerData } = require('worker_threads');
const fs = require('fs');
const { port, paths, files, signal, slots, batch, ahead } = workerData;
// [0]: batches posted, [1]: batches the caller took, [2]: lists of paths the caller posted, [3]: 1 once it posted all.
const counts = new Int32Array(signal);
const CHUNK = 1 << 16;
let lists = 0;
// Whether a whole batch from start is known (or every path is): takes the paths the caller posted, waits for more.
const known = (start) => {
  for (;;) {
    for (let m = receiveMessageOnPort(paths); m !== undefined; m = receiveMessageOnPort(paths)) {
      for (const file of m.message) files.push(file);
      lists++;
    }
    if (files.length >= start + batch) return true;
    const done = Atomics.load(counts, 3) === 1;
    const posted = Atomics.load(counts, 2);
    if (done && posted === lists) return files.length > start;
    if (posted === lists) Atomics.wait(counts, 2, posted, 1000);
  }
};
for (let start = 0, n = 0; known(start); start += batch, n++) {
  for (let taken = Atomics.load(counts, 1); n - taken >= ahead; taken = Atomics.load(counts, 1)) Atomics.wait(counts, 1, taken, 1000);
  const count = Math.min(batch, files.length - start);
  const ends = new Float64Array(count);
  const failed = [];
  // Into the batch's slot of shared memory, or, for a batch larger than a slot, into memory of its own, transferred.
  // The slot held batch n - ahead - 1, which the caller is done with: it has taken batch n - ahead (above), and it takes
  // a batch only once it has decoded every text of the one before.
  const slot = n % slots.length;
  let data = Buffer.from(slots[slot]);
  let own = false;
  let total = 0;
  const room = (bytes) => {
    if (data.length - total >= bytes) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(data.length * 2, total + bytes));
    data.copy(grown, 0, 0, total);
    data = grown;
    own = true;
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
  if (own) {
    const out = data.buffer.slice(0, total);
    port.postMessage({ start, slot: -1, data: out, ends, failed }, [out, ends.buffer]);
  } else {
    port.postMessage({ start, slot, ends, failed }, [ends.buffer]);
  }
  Atomics.add(counts, 0, 1);
  Atomics.notify(counts, 0);
}
`;

/**
 * The UTF-8 text of each of `files`, in order, as `fs.readFileSync(file, 'utf8')` reads it (a file that cannot be read
 * throws as that read throws, when its turn comes). From `parallelMin` files on, another thread does the reading
 * (open, read, close: about half the time of checking a fleet) while the caller parses what it already has; the
 * caller stays synchronous (it blocks on `Atomics.wait` only when the next batch is not there yet). `files` may be a
 * lazy walk of folders: the thread starts reading once `parallelMin` files are known, while the caller walks on.
 * @internal
 */
export function* fileTexts(files: Iterable<string>, parallelMin: number = PARALLEL_READ_MIN, shape: ReadingShape = {}): Generator<string> {
  const batchSize = shape.batch ?? BATCH;
  const ahead = shape.ahead ?? AHEAD;
  const pending = files[Symbol.iterator]();
  const threshold = Math.max(parallelMin, 1);
  const known: string[] = [];
  while (known.length < threshold) {
    const r = pending.next();
    if (r.done) break;
    known.push(r.value);
  }
  if (known.length < threshold) {
    for (const file of known) yield readText(file);
    return;
  }
  const signal = new SharedArrayBuffer(16);
  const slots = Array.from({ length: ahead + 1 }, () => new SharedArrayBuffer(shape.slot ?? SLOT));
  const counts = new Int32Array(signal);
  const { port1, port2 } = new MessageChannel();
  const paths = new MessageChannel();
  let worker: Worker;
  try {
    worker = new Worker(READER, {
      eval: true,
      workerData: { port: port2, paths: paths.port2, files: known, signal, slots, batch: batchSize, ahead },
      transferList: [port2, paths.port2],
    });
  } catch {
    // No thread here (a runtime that forbids them, a limit reached): the caller reads every file itself.
    port1.close();
    port2.close();
    paths.port1.close();
    paths.port2.close();
    for (const file of known) yield readText(file);
    for (let r = pending.next(); !r.done; r = pending.next()) yield readText(r.value);
    return;
  }
  worker.unref();
  // A reading thread that fails goes silent, and the caller reads the rest itself (below): nothing to report here.
  worker.on('error', () => undefined);
  let next = 0;
  try {
    // The rest of the walk, posted as it goes: the thread reads what is known meanwhile.
    const all = [...known];
    for (let r = pending.next(), list: string[] = []; ; r = pending.next()) {
      if (!r.done) {
        all.push(r.value);
        list.push(r.value);
      }
      if (list.length === batchSize || (r.done && list.length > 0)) {
        paths.port1.postMessage(list);
        list = [];
        Atomics.add(counts, 2, 1);
        Atomics.notify(counts, 2);
      }
      if (r.done) break;
    }
    Atomics.store(counts, 3, 1);
    Atomics.notify(counts, 2);
    for (let received = 0; next < all.length; received++) {
      const batch = receiveBatch(port1, counts, received);
      if (batch === undefined) break;
      Atomics.add(counts, 1, 1);
      Atomics.notify(counts, 1);
      // A batch in a slot stays there until the caller has taken the next one (the loop below decodes it first).
      const bytes = Buffer.from(batch.slot >= 0 ? slots[batch.slot] : batch.data!);
      const failed = new Set(batch.failed);
      for (let i = 0; i < batch.ends.length; i++, next++) {
        yield failed.has(i) ? readText(all[next]) : bytes.toString('utf8', i === 0 ? 0 : batch.ends[i - 1], batch.ends[i]);
      }
    }
    // The reading thread went silent (it could not start, or died): the caller reads the rest itself.
    for (; next < all.length; next++) yield readText(all[next]);
  } finally {
    port1.close();
    paths.port1.close();
    void worker.terminate();
  }
}

/** How the reading thread works (the defaults above; tests make every batch small to reuse the slots often). @internal */
export interface ReadingShape {
  readonly batch?: number;
  readonly ahead?: number;
  readonly slot?: number;
}

interface Batch {
  /** The batch's slot of shared memory, or -1 when it is in `data`. */
  readonly slot: number;
  readonly data?: ArrayBuffer;
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
