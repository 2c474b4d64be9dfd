import { initBackend } from '../../workers/engine/tf-backend.ts';
import { tinyNetsBench } from './tiny-nets.ts';

/** `npm run bench -- tiny [--json]`: only the tiny nets against the scalar reference (the same figures as engine's `tiny`). */
export async function tinyBench(json: boolean): Promise<void> {
  const backend = await initBackend();
  const log = (s: string) => !json && console.log(s);
  console.log(JSON.stringify({ backend, ...(await tinyNetsBench(log)) }));
}
