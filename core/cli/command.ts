import { parseArgs, type ArgSpec, type ParsedArgs } from './args.js';
import { UsageError } from './errors.js';
import type { CliCommand } from './commands/index.js';

/** A command as its module declares it: what `help` shows, the options it takes, and its body. */
export interface CommandDefinition {
  name: string;
  /** One line for `omnizip-studio help`. */
  summary: string;
  usage: string;
  /** Options that take a value and options that do not (both default to none). */
  options?: Partial<ArgSpec>;
  /** What the one positional argument is ('bundle', 'media file'); absent: the command takes none. */
  positional?: string;
  /** The body, given the parsed options and the positional argument ('' when the command takes none). */
  run(args: ParsedArgs, positional: string): Promise<number>;
}

/** A CliCommand that parses its argv and checks its positional argument before running the body. */
export function defineCommand(definition: CommandDefinition): CliCommand {
  const { options, positional, run, ...described } = definition;
  const usage = described.usage;
  return {
    ...described,
    async run(argv) {
      const args = parseArgs(argv, { valued: options?.valued ?? [], boolean: options?.boolean ?? [] }, usage);
      if (positional === undefined && args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}' (usage: ${usage})`);
      if (positional !== undefined && args.positionals.length !== 1) throw new UsageError(`expected one ${positional} (usage: ${usage})`);
      return run(args, args.positionals[0] ?? '');
    },
  };
}

/** Runs `job` with a signal that Ctrl-C (SIGINT) aborts while the job runs, so a long job cancels cleanly. */
export async function abortOnSigint<T>(job: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await job(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
