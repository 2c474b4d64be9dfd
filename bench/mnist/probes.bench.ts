import { initBackend } from '../../workers/engine/tf-backend.ts';
import { mnistProbeBench } from './mnist-probes.ts';

/** `npm run bench -- probes [--json]`: only what probes cost an MNIST run (the same figures as engine's `mnist.probe*`). */
export async function probesBench(json: boolean): Promise<void> {
  const backend = await initBackend();
  const log = (s: string) => !json && console.log(s);
  console.log(JSON.stringify({ backend, ...(await mnistProbeBench(log)) }));
}
