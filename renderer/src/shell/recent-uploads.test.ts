import { describe, expect, it } from 'vitest';
import { MAX_RECENT_UPLOADS, uploadKey, withUpload } from './recent-uploads.js';

const file = (name: string, size = 10, lastModified = 1) => ({ name, size, lastModified }) as File;

describe('withUpload', () => {
  it('puts the newest first and moves a reopened file to the top without duplicating it', () => {
    let list = withUpload([], file('a.safetensors'));
    list = withUpload(list, file('b.mp4'));
    expect(list.map((u) => u.name)).toEqual(['b.mp4', 'a.safetensors']);
    list = withUpload(list, file('a.safetensors'));
    expect(list.map((u) => u.name)).toEqual(['a.safetensors', 'b.mp4']);
  });

  it('keeps two different files of the same name apart (size or modification time differ)', () => {
    const list = withUpload(withUpload([], file('clip.mp4', 10, 1)), file('clip.mp4', 11, 2));
    expect(list).toHaveLength(2);
    expect(new Set(list.map((u) => u.key)).size).toBe(2);
    expect(uploadKey(file('clip.mp4', 10, 1))).not.toBe(uploadKey(file('clip.mp4', 10, 2)));
  });

  it('holds at most MAX_RECENT_UPLOADS entries', () => {
    let list = withUpload([], file('0'));
    for (let i = 1; i < MAX_RECENT_UPLOADS + 5; i++) list = withUpload(list, file(String(i)));
    expect(list).toHaveLength(MAX_RECENT_UPLOADS);
    expect(list[0].name).toBe(String(MAX_RECENT_UPLOADS + 4));
  });
});
