/**
 * Issue 15 items 3 and 9: the reader takes regular files only and checks sizes before reading;
 * it refuses what the format forbids (trailing bytes, holes, duplicate keys, absurd shapes),
 * naming the right tensor.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { joinSafetensors, rewriteSafetensorsHeader, splitSafetensors, type RawHeaderEntries } from '../../test-support/raw-safetensors.js';
import { parseBundle, readBundle, readBundleOutline } from './reader.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = process.env.OMNIZIP_SHARED ?? path.resolve(repoRoot, '../shared');
const goldenBytes = () => new Uint8Array(readFileSync(path.join(shared, 'golden', 'default_params.safetensors')));
const dir = mkdtempSync(path.join(os.tmpdir(), 'omz-reader-hardening-'));

/** The golden bundle with its header edited (and, when given, its data section replaced). */
function withHeader(edit: (header: RawHeaderEntries) => void, data?: (d: Uint8Array) => Uint8Array): Uint8Array {
  return rewriteSafetensorsHeader(goldenBytes(), edit, data);
}

// readBundle reads through libuv's threads; inspect's outline reader on the calling thread.
const READERS = [
  ['readBundle', (file: string) => readBundle(file)],
  ['readBundleOutline, blocking', (file: string) => readBundleOutline(file, { blockingUpTo: Number.MAX_SAFE_INTEGER })],
  ['readBundleOutline, thread pool', (file: string) => readBundleOutline(file, { blockingUpTo: 0 })],
] as const;

describe.each(READERS)('item 3: regular files only, sizes checked before reading (%s)', (label, read) => {
  it('refuses /dev/zero at once instead of reading it forever', async () => {
    await expect(read('/dev/zero')).rejects.toThrow(/\/dev\/zero: cannot read: .*it is a device, not a regular file/);
  });

  it('refuses a .safetensors symlink to /dev/zero', async () => {
    const link = path.join(dir, `zero-${label.replace(/\W/g, '')}.safetensors`);
    symlinkSync('/dev/zero', link);
    await expect(read(link)).rejects.toThrow(/not a regular file/);
  });

  it('refuses a FIFO without waiting for a writer', async () => {
    const fifo = path.join(dir, `pipe-${label.replace(/\W/g, '')}.safetensors`);
    execFileSync('mkfifo', [fifo]);
    const started = performance.now();
    await expect(read(fifo)).rejects.toThrow(/a FIFO \(named pipe\), not a regular file/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses a header length larger than the file before reading the rest', async () => {
    const file = path.join(dir, `huge-header-${label.replace(/\W/g, '')}.safetensors`);
    const bytes = new Uint8Array(64);
    new DataView(bytes.buffer).setBigUint64(0, 50_000_000n, true);
    writeFileSync(file, bytes);
    await expect(read(file)).rejects.toThrow(/header length 50000000 runs past the end of the 64-byte file/);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 60n, true);
    writeFileSync(file, bytes);
    await expect(read(file)).rejects.toThrow(/exceeds the 100000000-byte limit/);
  });

  it('says a missing file is missing', async () => {
    await expect(read(path.join(dir, 'absent.safetensors'))).rejects.toThrow(/absent\.safetensors: cannot read: no such file/);
  });

  it('reads the golden bundle', async () => {
    const file = path.join(shared, 'golden', 'default_params.safetensors');
    expect((await read(file)).numAudio).toBeGreaterThan(0);
  });
});

describe('item 9: what the format forbids', () => {
  it('accepts the golden bundle as it is', () => {
    expect(parseBundle(goldenBytes(), 'golden').numAudio).toBeGreaterThan(0);
  });

  it('refuses trailing bytes after the last tensor', () => {
    const { headerText: header, data } = splitSafetensors(goldenBytes());
    const longer = new Uint8Array(data.length + 16);
    longer.set(data);
    expect(() => parseBundle(joinSafetensors(header, longer), 'trailing.safetensors')).toThrow(/trailing\.safetensors: header: 16 bytes after the last tensor's data/);
  });

  it('refuses a hole between tensors, naming the tensor after it', () => {
    let moved = '';
    const bytes = withHeader(
      (h) => {
        const entries = Object.entries(h).filter(([k]) => k !== '__metadata__').sort((a, b) => b[1].data_offsets[0] - a[1].data_offsets[0]);
        const [name, last] = entries[0];
        moved = name;
        last.data_offsets = [last.data_offsets[0] + 8, last.data_offsets[1] + 8];
      },
      (d) => {
        const out = new Uint8Array(d.length + 8);
        out.set(d);
        return out;
      },
    );
    expect(() => parseBundle(bytes, 'hole.safetensors')).toThrow(new RegExp(`tensor '${moved}'.*hole of 8 bytes before this tensor`));
  });

  it('refuses a duplicate key and names the duplicated tensor', () => {
    const { headerText: header, data } = splitSafetensors(goldenBytes());
    const parsed = JSON.parse(header);
    const dup = `${header.slice(0, header.lastIndexOf('}'))},"token_types":${JSON.stringify(parsed.token_types)}}`;
    expect(() => parseBundle(joinSafetensors(dup, data), 'dup.safetensors')).toThrow(/dup\.safetensors: tensor 'token_types': is declared twice in the header/);
  });

  it('refuses absurd frame shapes instead of answering 500 later', () => {
    const absurd = withHeader((h) => {
      h.frames = { dtype: 'U8', shape: [2 ** 50, 0, 16, 3], data_offsets: [0, 0] };
    });
    expect(() => parseBundle(absurd, 'absurd.safetensors')).toThrow(/tensor 'frames'.*dimension above 2147483647/);
    const empty = withHeader((h) => {
      h.frames = { dtype: 'U8', shape: [5, 0, 16, 3], data_offsets: [0, 0] };
    });
    expect(() => parseBundle(empty, 'empty.safetensors')).toThrow(/tensor 'frames'.*declares 5 frames of no pixels/);
  });
});
