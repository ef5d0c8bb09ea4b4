import { describe, expect, it } from 'vitest';
import { parseStartupMarks, startupMarks } from './startup-marks.js';

describe('start-up marks', () => {
  it('writes each moment once, with its time, and parses back in order', () => {
    let out = '';
    let t = 10;
    const mark = startupMarks((line) => (out += line), () => (t += 5.25));
    mark('listening');
    mark('served /');
    mark('listening');
    mark('call clip.openDemo');
    expect(out).toBe('omnizip-startup 15.3 listening\nomnizip-startup 20.5 served /\nomnizip-startup 25.8 call clip.openDemo\n');
    expect(parseStartupMarks(`other output\n${out}Studio: http://x\n`)).toEqual([
      { ms: 15.3, what: 'listening' },
      { ms: 20.5, what: 'served /' },
      { ms: 25.8, what: 'call clip.openDemo' },
    ]);
  });

  it('writes nothing without a writer', () => {
    expect(() => startupMarks(null)('listening')).not.toThrow();
  });
});
