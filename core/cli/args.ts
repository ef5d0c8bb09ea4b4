import { UsageError } from './errors.js';

/** Minimal argv parsing shared by the commands: positionals, --flag, --key value (repeatable). */
export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  values: Map<string, string[]>;
}

export interface ArgSpec {
  /** Options that take a value, e.g. ['config', 'set', 'out']. */
  valued: string[];
  /** Options without a value, e.g. ['json', 'no-cache']. */
  boolean: string[];
}

export function parseArgs(argv: string[], spec: ArgSpec, usage: string): ParsedArgs {
  const out: ParsedArgs = { positionals: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    if (spec.boolean.includes(name)) {
      if (eq > 0) throw new UsageError(`option --${name} takes no value (usage: ${usage})`);
      out.flags.add(name);
    } else if (spec.valued.includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`option --${name} needs a value (usage: ${usage})`);
      const list = out.values.get(name) ?? [];
      list.push(value);
      out.values.set(name, list);
    } else {
      throw new UsageError(`unknown option --${name} (usage: ${usage})`);
    }
  }
  return out;
}

export function single(args: ParsedArgs, name: string): string | undefined {
  const list = args.values.get(name);
  if (list && list.length > 1) throw new UsageError(`option --${name} given more than once`);
  return list?.[0];
}

/** An integer option of at least `min`; undefined when the option was not given. */
export function integerOption(args: ParsedArgs, name: string, min: number): number | undefined {
  const value = single(args, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}
