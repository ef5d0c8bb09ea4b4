import { single } from '../args.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';
import { appRoot } from '../../runtime/entry-points.js';
import { startWebMode } from '../../server/start.js';

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'Serve the studio in web mode on 127.0.0.1 with a per-run secret token (prints the URL).',
  usage: 'serve [--port N] [--open FILE]',
  options: { valued: ['port', 'open'] },
  async run(parsed) {
    const portText = single(parsed, 'port');
    const port = portText === undefined ? 0 : Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer in [0, 65535] (got '${portText}')`);
    const server = await startWebMode({ appRoot: appRoot(), port, openFile: single(parsed, 'open') });
    console.log(`Studio: ${server.url}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return 0;
  },
});
