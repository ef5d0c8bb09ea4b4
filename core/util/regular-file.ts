/**
 * Reading a file the user named, bounded: only regular files (a device such as /dev/zero never
 * ends, a FIFO blocks forever), at most `maxBytes`, and exactly the size stat reported, so a
 * file that grows while being read cannot grow our memory with it.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

export class FileReadError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    /** The system error code when the OS refused (ENOENT, EACCES...). */
    readonly code?: string,
  ) {
    super(`cannot read ${file}: ${reason}`);
    this.name = 'FileReadError';
  }
}

function kindOf(s: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

function codeReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many symbolic links';
  return code ?? (err as Error).message;
}

/** Chunk size when the caller works on a file as it arrives: large enough that a read's round trip to libuv's threads is noise, small enough to stay in the cache. */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/** Size of a regular file (symlinks followed); FileReadError for anything else. */
export async function regularFileSize(file: string): Promise<number> {
  return (await regularFileStat(threadPoolIo, file)).size;
}

/** A regular file's stat through `io` (symlinks followed); FileReadError for a missing file or anything but a regular file. */
async function regularFileStat(io: FileIo, file: string): Promise<Stats> {
  let info;
  try {
    info = await io.stat(file);
  } catch (err) {
    throw new FileReadError(file, codeReason(err), (err as NodeJS.ErrnoException).code);
  }
  if (!info.isFile()) throw new FileReadError(file, `it is ${kindOf(info)}, not a regular file`);
  return info;
}

/** The file operations readRegularFile needs: libuv's threads, or the calling thread itself. */
interface FileIo {
  stat(file: string): Promise<Stats> | Stats;
  open(file: string, flags: number): Promise<OpenFile> | OpenFile;
}
interface OpenFile {
  stat(): Promise<Stats> | Stats;
  read(into: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> | { bytesRead: number };
  close(): Promise<void> | void;
}

const threadPoolIo: FileIo = { stat, open };

/**
 * The same operations done synchronously: for a process with nothing else to do meanwhile (a CLI
 * command such as `inspect`), where each of libuv's round trips is a wait. Reading the 3.8 MB demo
 * bundle took 9-12 ms in chunks through libuv against 4 ms synchronously.
 */
const blockingIo: FileIo = {
  stat: (file) => statSync(file),
  open(file, flags) {
    const fd = openSync(file, flags);
    return {
      stat: () => fstatSync(fd),
      read: (into, offset, length, position) => ({ bytesRead: readSync(fd, into, offset, length, position) }),
      close: () => closeSync(fd),
    };
  },
};

/**
 * The whole of a regular file. `maxBytes` bounds what is read (the message says the size and
 * the limit); `peek`, when given, sees the first 8 bytes before the rest is read and may throw
 * (a header length that does not fit the file). `onChunk`, when given, is told each time more of
 * the file has arrived (`out` holds its first `to` bytes); the file is then read in chunks, the
 * next one already being read while `onChunk` works on the last. A file of at most `blockingUpTo`
 * bytes is read on the calling thread (never ask for it on a server's event loop: it stops
 * everything else until the file is read); a larger one through libuv's threads, where the chunk
 * work overlaps the reads (inspect of the 135 MB 60-s bundle: 300 ms so, 385 ms on one thread).
 */
export async function readRegularFile(
  file: string,
  options: { maxBytes?: number; what?: string; peek?: (head: Uint8Array, size: number) => void; onChunk?: (out: Uint8Array, to: number) => void; blockingUpTo?: number } = {},
): Promise<Uint8Array> {
  const { size } = await regularFileStat(options.blockingUpTo === undefined ? threadPoolIo : blockingIo, file);
  // Chosen on the path's stat: a file swapped in before the open is still checked and read whole
  // (within maxBytes), only perhaps on this thread.
  const io = options.blockingUpTo !== undefined && size <= options.blockingUpTo ? blockingIo : threadPoolIo;
  let handle: OpenFile;
  try {
    // O_NONBLOCK: if the path was swapped for a FIFO after the stat, open must not block on it.
    handle = await io.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new FileReadError(file, codeReason(err), (err as NodeJS.ErrnoException).code);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new FileReadError(file, `it is ${kindOf(info)}, not a regular file`);
    const size = info.size;
    if (options.maxBytes !== undefined && size > options.maxBytes) {
      throw new FileReadError(file, `${options.what ?? 'the file'} is ${size} bytes, more than the ${options.maxBytes}-byte limit`);
    }
    const head = new Uint8Array(Math.min(size, 8));
    const { bytesRead: headRead } = await handle.read(head, 0, head.length, 0);
    options.peek?.(head.subarray(0, headRead), size);
    const out = new Uint8Array(size);
    out.set(head.subarray(0, headRead));
    let at = headRead;
    const { onChunk } = options;
    onChunk?.(out, at);
    const chunk = onChunk ? READ_CHUNK_BYTES : Infinity;
    let reading = at < size ? handle.read(out, at, Math.min(chunk, size - at), at) : null;
    while (reading) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      at += bytesRead;
      reading = at < size ? handle.read(out, at, Math.min(chunk, size - at), at) : null;
      onChunk?.(out, at);
    }
    if (at < size) throw new FileReadError(file, `it shrank while being read (${at} of ${size} bytes)`);
    return out;
  } finally {
    await handle.close();
  }
}
