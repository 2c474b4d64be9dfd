import type { GanJob } from '../../shared/gan.schema.ts';
import { trainFlopsPerSample } from '../../shared/model-spec.metrics.ts';
import { networkDims } from '../../shared/network-dims.ts';
import type { TrainJob } from '../../shared/run.schema.ts';

/**
 * Samples per second an unpaced run is counted at: it takes what its thread gives it, so it weighs as
 * much as a busy paced run (20,000 samples over a few seconds).
 */
const UNPACED_SAMPLES_PER_SEC = 10_000;
/** A GAN run (two small nets in turns, unpaced), counted as a mid-sized unpaced run. */
const GAN_WEIGHT = 6 * 2_000 * UNPACED_SAMPLES_PER_SEC;

/**
 * What a run is expected to ask of its training thread, in training FLOPs per second: its network's FLOPs
 * per sample times the samples per second its pace asks for (a race's entries: budget over pace). The
 * embedded trainer puts a new run on the thread whose runs weigh least, so that a race of one deep net and
 * three small ones does not end up with the two costly entries on one core and the two cheap ones on the
 * other. Where a run trains changes nothing about its result: this only evens out the cores.
 */
export function runWeight(start: { type: 'train'; job: TrainJob } | { type: 'gan'; job: GanJob }): number {
  if (start.type === 'gan') return GAN_WEIGHT;
  const { job } = start;
  let flops: number;
  try {
    const { inputDim, outputDim, image } = networkDims(job.spec, job.task);
    flops = trainFlopsPerSample(job.spec, inputDim, outputDim, image);
  } catch {
    flops = 6 * 1_000; // a spec the planner cannot size: the engine refuses it soon; count it as a small net meanwhile
  }
  const rate = job.paceMs > 0 ? (job.budget / job.paceMs) * 1000 : UNPACED_SAMPLES_PER_SEC;
  return Math.max(1, flops) * Math.max(1, rate);
}
