/**
 * JSON.parse keeps the last of two equal keys without a word; a file format that forbids them
 * (safetensors headers, configs) needs to know. One linear pass over text that already parsed.
 */

/** The first key that appears twice in one object, with the path of that object ('' for the root). */
export function findDuplicateKey(text: string): { key: string; path: string } | null {
  const stack: { keys: Set<string> | null; path: string; lastKey: string | null; index: number }[] = [];
  let i = 0;
  const n = text.length;
  let expectKey = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: find its end, honouring escapes.
      let j = i + 1;
      let escaped = false;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (escaped) escaped = false;
        else if (d === 0x5c) escaped = true;
        else if (d === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return { key, path: top.path };
        top.keys.add(key);
        top.lastKey = key;
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      const parent = stack[stack.length - 1];
      const name = parent ? (parent.keys ? parent.lastKey ?? '' : `[${parent.index}]`) : '';
      const path = parent ? (parent.keys ? (parent.path ? `${parent.path}.${name}` : name) : `${parent.path}${name}`) : '';
      stack.push({ keys: c === 0x7b ? new Set() : null, path, lastKey: null, index: 0 });
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.index++;
    }
    i++;
  }
  return null;
}
