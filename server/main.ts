/** The arena server: `npm start` (after the client build) runs this file. */
import { startArena } from './app.ts';
import { readConfig } from './config.ts';

const config = readConfig();
const arena = await startArena(config);
const health = await fetch(`http://127.0.0.1:${arena.port}/health`).then((r) => r.json());
console.log(`Gradient Arena listening on http://localhost:${arena.port}`);
console.log(JSON.stringify(health));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    arena.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
