import { initBackend } from './workers/engine/tf-backend.ts';
import { runTraining } from './workers/engine/run-training.ts';
import { TrainJob } from './shared/run.schema.ts';
import * as tf from '@tensorflow/tfjs';
console.log(await initBackend());
const specs = [
 {layers:[{units:16,activation:'relu'},{units:16,activation:'relu'}], optimizer:'adam', learningRate:0.01, batchSize:32},
 {layers:[{units:32,activation:'relu'},{units:32,activation:'relu'},{units:32,activation:'relu'}], optimizer:'adam', learningRate:0.01, batchSize:32},
 {layers:[{units:24,activation:'tanh'},{units:24,activation:'tanh'}], optimizer:'adam', learningRate:0.02, batchSize:16},
 {layers:[{units:8,activation:'relu'}], optimizer:'sgd', learningRate:0.1, batchSize:32},
];
for (const spec of specs) {
  const job = TrainJob.parse({runId:'a', spec, task:{name:'spiral'}, seed: 7, budget: 20000});
  const t=performance.now();
  const r = await runTraining(job);
  console.log(JSON.stringify({final:r.final, held:r.heldOutAccuracy, sps: Math.round(r.samplesPerSec), ms: Math.round(performance.now()-t), hash:r.weightsHash.slice(0,8), tensors: tf.memory().numTensors}));
}
