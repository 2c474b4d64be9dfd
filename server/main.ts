/** The arena server: `npm start` (after the client build) runs this file. */
import { startArena } from './app.ts';
import { readConfig } from './config.ts';
import { moduleLogger } from './logger.ts';

const config = readConfig();
const log = moduleLogger('main');
const arena = await startArena(config);
const health = await fetch(`http://127.0.0.1:${arena.port}/health`).then((r) => r.json());
log.info({ port: arena.port, health }, `Gradient Arena listening on http://localhost:${arena.port}`);

// SIGTERM (docker stop, a process manager) or SIGINT (Ctrl-C): every room tells its clients (close code 4001,
// SERVER_SHUTDOWN) and is disposed, the trainer and the database close; past SHUTDOWN_TIMEOUT_MS the process exits anyway.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return; // Ctrl-C reaches node twice under npm: from the terminal and forwarded by npm
    stopping = true;
    log.info({ signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutting down');
    setTimeout(() => {
      log.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, `shutdown took longer than ${config.SHUTDOWN_TIMEOUT_MS} ms: exiting anyway`);
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    arena.close().then(
      () => {
        log.info('shut down');
        process.exit(0);
      },
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
