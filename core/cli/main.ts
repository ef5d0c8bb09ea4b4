import { commandNames, loadCommand } from './commands/index.js';
import { describeError } from './errors.js';
import { terminalSafe } from '../util/terminal.js';

async function printHelp(): Promise<void> {
  const lines = ['usage: omnizip-studio <command> [options]', '', 'commands:'];
  for (const name of commandNames()) {
    const cmd = await loadCommand(name);
    if (cmd) lines.push(`  ${cmd.usage}`, `      ${cmd.summary}`);
  }
  console.log(lines.join('\n'));
}

/** Entry point of `omnizip-studio`; returns the exit status. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    await printHelp();
    return name ? 0 : 2;
  }
  const command = await loadCommand(name);
  if (!command) {
    process.stderr.write(`omnizip-studio: unknown command '${name}' (commands: ${commandNames().join(', ')})\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`usage: omnizip-studio ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    // Error messages quote file names, tensor names and metadata keys from the file.
    process.stderr.write(`omnizip-studio: ${terminalSafe(describeError(err), { oneLine: true })}\n`);
    if (process.env.OMNIZIP_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}
