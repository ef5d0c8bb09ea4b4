/**
 * A small runtime type checker whose schemas also give the static types (`Infer<typeof s>`), so
 * the studio contract is written once and both sides of every transport check the same shapes.
 * Plain TypeScript, no Node imports: the renderer bundles it.
 */
import { OmniZipError } from './errors.js';

/** A message crossed a transport with the wrong shape; `path` names the offending field. */
export class ContractError extends OmniZipError {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super('bad-request', path ? `${path}: ${message}` : message);
  }
}

export interface Check<T> {
  readonly describe: string;
  /** Throws ContractError when `value` does not match; returns it typed otherwise. */
  parse(value: unknown, path?: string): T;
}

export type Infer<C> = C extends Check<infer T> ? T : never;

function make<T>(describe: string, test: (value: unknown, path: string) => T): Check<T> {
  return { describe, parse: (value, path = '') => test(value, path) };
}

function fail(path: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  throw new ContractError(`expected ${expected}, got ${got}`, path || '(root)');
}

export const string = (options: { maxLength?: number; pattern?: RegExp } = {}): Check<string> =>
  make('string', (v, p) => {
    if (typeof v !== 'string') fail(p, 'a string', v);
    if (options.maxLength !== undefined && v.length > options.maxLength) throw new ContractError(`string longer than ${options.maxLength}`, p);
    if (options.pattern && !options.pattern.test(v)) throw new ContractError(`string does not match ${options.pattern}`, p);
    return v;
  });

export const number = (options: { integer?: boolean; min?: number; max?: number } = {}): Check<number> =>
  make('number', (v, p) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(p, 'a finite number', v);
    if (options.integer && !Number.isInteger(v)) throw new ContractError(`expected an integer, got ${v}`, p);
    if (options.min !== undefined && v < options.min) throw new ContractError(`must be >= ${options.min}, got ${v}`, p);
    if (options.max !== undefined && v > options.max) throw new ContractError(`must be <= ${options.max}, got ${v}`, p);
    return v;
  });

/** A number that may also be NaN or infinite (scores and traces computed by the core). */
export const anyNumber = (): Check<number> =>
  make('number', (v, p) => {
    if (typeof v !== 'number') fail(p, 'a number', v);
    return v;
  });

export const boolean = (): Check<boolean> =>
  make('boolean', (v, p) => {
    if (typeof v !== 'boolean') fail(p, 'a boolean', v);
    return v;
  });

export const literal = <const T extends string | number | boolean>(expected: T): Check<T> =>
  make(JSON.stringify(expected), (v, p) => {
    if (v !== expected) fail(p, JSON.stringify(expected), v);
    return v as T;
  });

export const oneOf = <const T extends readonly string[]>(values: T): Check<T[number]> =>
  make(values.join('|'), (v, p) => {
    if (typeof v !== 'string' || !values.includes(v)) {
      throw new ContractError(`expected one of ${values.join(', ')}, got ${JSON.stringify(v)}`, p || '(root)');
    }
    return v as T[number];
  });

export const nullable = <T>(inner: Check<T>): Check<T | null> =>
  make(`${inner.describe} | null`, (v, p) => (v === null ? null : inner.parse(v, p)));

export const optional = <T>(inner: Check<T>): Check<T | undefined> =>
  make(`${inner.describe} | undefined`, (v, p) => (v === undefined ? undefined : inner.parse(v, p)));

/*
 * A child is checked under its parent's path and named only when it fails: a plan view has
 * thousands of children, and building "groups[12].frame_keep_counts[3]" for each cost more than
 * checking them. Checks are pure, so the failing child, checked again under its own path, throws
 * the same error with the right path.
 */
function atIndex<T>(check: Check<T>, value: unknown, parent: string, index: number): T {
  try {
    return check.parse(value, parent);
  } catch {
    return check.parse(value, `${parent}[${index}]`);
  }
}

function atKey<T>(check: Check<T>, value: unknown, parent: string, key: string): T {
  try {
    return check.parse(value, parent);
  } catch {
    return check.parse(value, parent ? `${parent}.${key}` : key);
  }
}

export const array = <T>(inner: Check<T>, options: { maxLength?: number } = {}): Check<T[]> =>
  make(`${inner.describe}[]`, (v, p) => {
    if (!Array.isArray(v)) fail(p, 'an array', v);
    if (options.maxLength !== undefined && v.length > options.maxLength) throw new ContractError(`array longer than ${options.maxLength}`, p);
    const out = new Array<T>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = atIndex(inner, v[i], p, i);
    return out;
  });

export const tuple = <T extends unknown[]>(...items: { [K in keyof T]: Check<T[K]> }): Check<T> =>
  make('tuple', (v, p) => {
    if (!Array.isArray(v) || v.length !== items.length) fail(p, `an array of ${items.length}`, v);
    return items.map((c, i) => atIndex(c, v[i], p, i)) as T;
  });

type Shape = Record<string, Check<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: undefined extends Infer<S[K]> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> };

/** An object with exactly these keys (unknown keys are rejected: they are either typos or probes). */
export const object = <S extends Shape>(shape: S, options: { allowExtra?: boolean } = {}): Check<ObjectOf<S>> => {
  // Keys and checks in two flat arrays: a plan view has ~150 groups of 11 fields, and iterating
  // [key, check] entries with destructuring was a third of checking it.
  const keys = Object.keys(shape);
  const checks = keys.map((key) => shape[key]);
  return make('object', (v, p) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) fail(p, 'an object', v);
    const source = v as Record<string, unknown>;
    if (!options.allowExtra) {
      for (const key in source) {
        // Own keys only: `key in shape` would let '__proto__', 'constructor' or 'toString' through.
        if (Object.hasOwn(source, key) && !Object.hasOwn(shape, key)) throw new ContractError(`unexpected key '${key}'`, p || '(root)');
      }
    }
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      // A missing key reads as undefined, never as something inherited from a (tampered) prototype.
      const value = atKey(checks[i], Object.hasOwn(source, key) ? source[key] : undefined, p, key);
      if (value !== undefined) out[key] = value;
    }
    return out as ObjectOf<S>;
  });
};

/** Any JSON-like value, checked only for being a plain object (used for configs the core validates itself). */
export const record = (): Check<Record<string, unknown>> =>
  make('record', (v, p) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) fail(p, 'an object', v);
    // A fresh copy of the own entries: what is forwarded is what was checked, with no odd prototype.
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(v)) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    return out;
  });

type TypedArrayCtor<T> = { new (length: number): T; readonly name: string };

const typed = <T extends ArrayBufferView>(ctor: TypedArrayCtor<T>) => (options: { length?: number } = {}): Check<T> =>
  make(ctor.name, (v, p) => {
    if (!(v instanceof (ctor as unknown as new () => T))) fail(p, `a ${ctor.name}`, v);
    const len = (v as unknown as { length: number }).length;
    if (options.length !== undefined && len !== options.length) throw new ContractError(`expected length ${options.length}, got ${len}`, p);
    return v as T;
  });

// Typed arrays may view any buffer (a Node Buffer's pool, a decoded wire frame), hence ArrayBufferLike.
export const u8 = typed<Uint8Array<ArrayBufferLike>>(Uint8Array);
export const i8 = typed<Int8Array<ArrayBufferLike>>(Int8Array);
export const i32 = typed<Int32Array<ArrayBufferLike>>(Int32Array);
export const f32 = typed<Float32Array<ArrayBufferLike>>(Float32Array);
