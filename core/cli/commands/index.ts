/** The CLI's commands. Each lives in its own module; add one line here per command. */
export interface CliCommand {
  name: string;
  /** One line for `omnizip-studio help`. */
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

const commandLoaders: Record<string, () => Promise<CliCommand>> = {
  plan: async () => (await import('./plan.js')).planCommand,
  inspect: async () => (await import('./inspect.js')).inspectCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  analyze: async () => (await import('./analyze.js')).analyzeCommand,
  prefill: async () => (await import('./prefill.js')).prefillCommand,
  encode: async () => (await import('./encode.js')).encodeCommand,
  // The report lives above the core: it draws with the renderer's DOM-free trace builders.
  report: async () => (await import('../../../report/cli.js')).reportCommand,
  sweep: async () => (await import('./sweep.js')).sweepCommand,
};

export function commandNames(): string[] {
  return Object.keys(commandLoaders);
}

export async function loadCommand(name: string): Promise<CliCommand | undefined> {
  // Own keys only: 'constructor' or 'toString' typed as a command must not reach Object.prototype.
  return Object.hasOwn(commandLoaders, name) ? commandLoaders[name]() : undefined;
}
