import { threadId } from 'node:worker_threads';
import { CancelledError, OmniZipError } from '../../core/protocol/errors.js';
import { serveRpc } from '../../core/rpc/serve.js';
import type { EchoApi } from './echo-api.js';

let cancelledSpins = 0;

serveRpc<EchoApi>({
  async echo({ text }, { progress }) {
    progress(0.5);
    return { text: text.toUpperCase() };
  },
  async spin(_params, { signal, progress }) {
    for (let i = 0; !signal.aborted; i++) {
      progress(i);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    cancelledSpins++;
    throw new CancelledError('spin cancelled');
  },
  async whoami({ holdMs }) {
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    return { threadId, cancelledSpins };
  },
  async fail({ kind, message }) {
    throw new OmniZipError(kind, message);
  },
  async crash() {
    process.exit(3);
  },
});
