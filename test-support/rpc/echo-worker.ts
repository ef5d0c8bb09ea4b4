import { writeFileSync } from 'node:fs';
import { threadId, workerData } from 'node:worker_threads';
import { CancelledError, OmniZipError } from '../../core/protocol/errors.js';
import { serveRpc } from '../../core/rpc/serve.js';
import type { EchoApi } from './echo-api.js';

let cancelledSpins = 0;
let spinning = 0;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

serveRpc<EchoApi>(
  {
    async echo({ text }, { progress }) {
      progress(0.5);
      return { text: text.toUpperCase() };
    },
    async spin(_params, { signal, progress }) {
      spinning++;
      for (let i = 0; !signal.aborted; i++) {
        progress(i);
        await pause(5);
      }
      // Like a native step that has to finish before the handler can return.
      await pause(50);
      spinning--;
      cancelledSpins++;
      throw new CancelledError('spin cancelled');
    },
    async whoami({ holdMs }) {
      await pause(holdMs);
      return { threadId, cancelledSpins };
    },
    async fail({ kind, message }) {
      throw new OmniZipError(kind, message);
    },
    async crash() {
      process.exit(3);
    },
  },
  {
    // Records what was still running when the shutdown hook ran (workerData.shutdownLog: a file).
    onShutdown: async () => {
      const log = (workerData as { shutdownLog?: string } | undefined)?.shutdownLog;
      if (log) writeFileSync(log, JSON.stringify({ spinning, cancelledSpins }));
    },
  },
);
