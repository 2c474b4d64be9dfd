import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Network } from './network.ts';

/**
 * The network as a tf.js LayersModel with the same weights: a Sequential of
 * dense layers (plus a LeakyReLU layer where one is used). Inputs are the
 * network's inputs, i.e. the spec's features for planar tasks.
 */
export function toLayersModel(net: Network): tf.Sequential {
  const model = tf.sequential();
  net.layers.forEach((layer, i) => {
    const [fanIn, units] = layer.kernel.shape as [number, number];
    const activation = layer.activation === 'output' || layer.activation === 'leakyRelu' ? 'linear' : layer.activation;
    const dense = tf.layers.dense({ units, activation, ...(i === 0 ? { inputShape: [fanIn] } : {}) });
    model.add(dense);
    dense.setWeights([layer.kernel, layer.bias]);
    if (layer.activation === 'leakyRelu') model.add(tf.layers.leakyReLU({ alpha: 0.01 }));
  });
  return model;
}

/** Writes `model.json` and `weights.bin` into `dir`, readable by `tf.loadLayersModel`. */
export async function saveLayersModel(net: Network, dir: string): Promise<void> {
  const model = toLayersModel(net);
  try {
    await mkdir(dir, { recursive: true });
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weightData = artifacts.weightData as ArrayBuffer;
        const modelJson = {
          modelTopology: artifacts.modelTopology,
          format: 'layers-model',
          generatedBy: 'gradient-arena',
          convertedBy: null,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        };
        await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
        await writeFile(path.join(dir, 'weights.bin'), new Uint8Array(weightData));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weightData.byteLength } };
      }),
    );
  } finally {
    model.dispose();
  }
}

/** Reads a model written by `saveLayersModel` (tf.js's own file:// handler needs tfjs-node). */
export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
  const weights = await readFile(path.join(dir, json.weightsManifest[0].paths[0]));
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) }),
  );
}
