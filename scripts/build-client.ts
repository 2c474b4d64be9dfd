/**
 * Builds the client into dist/client with Vite, printing its progress (scripts/build-progress.ts) as it goes.
 * `npm start` runs this in a child process when the client's sources are newer than the last build.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { buildProgress } from './build-progress.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({ configFile: path.join(root, 'client', 'vite.config.ts'), logLevel: 'warn', plugins: [buildProgress((line) => console.log(line))] });
