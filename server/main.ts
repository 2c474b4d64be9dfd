/** The arena server: `npm start` (after the client build) runs this file. */
import { startArena } from './app.ts';
import { readConfig } from './config.ts';
import { moduleLogger } from './logger.ts';

const config = readConfig();
const log = moduleLogger('main');
const arena = await startArena(config);
const health = await fetch(`http://127.0.0.1:${arena.port}/health`).then((r) => r.json());
log.info({ port: arena.port, health }, `Gradient Arena listening on http://localhost:${arena.port}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    arena.close().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
