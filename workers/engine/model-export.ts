import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelPreprocessing } from '../../contract/model-preprocessing.ts';
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

/** A model as tf.js's layers format: `model.json`'s content (its weights manifest names `weightsPath`) and the weights' bytes. */
export interface LayersModelFiles {
  modelJson: {
    modelTopology: unknown;
    format: 'layers-model';
    generatedBy: string;
    convertedBy: null;
    weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
    /** `model.getUserDefinedMetadata()` after `tf.loadLayersModel`: the `preprocessing` block. */
    userDefinedMetadata: { preprocessing: ModelPreprocessing };
  };
  weights: Uint8Array<ArrayBuffer>;
}

/** The network in tf.js's layers format, with its preprocessing block; `weightsPath` is what model.json calls the weights file. */
export async function layersModelFiles(net: Network, preprocessing: ModelPreprocessing, weightsPath = 'weights.bin'): Promise<LayersModelFiles> {
  const model = toLayersModel(net);
  let files: LayersModelFiles | undefined;
  try {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weightData = artifacts.weightData as ArrayBuffer;
        files = {
          modelJson: {
            modelTopology: artifacts.modelTopology,
            format: 'layers-model',
            generatedBy: 'gradient-arena',
            convertedBy: null,
            weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs ?? [] }],
            userDefinedMetadata: { preprocessing },
          },
          weights: new Uint8Array(weightData.slice(0)),
        };
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weightData.byteLength } };
      }),
    );
  } finally {
    model.dispose();
  }
  return files!;
}

/** Writes `model.json` (with its preprocessing block) and `weights.bin` into `dir`, readable by `tf.loadLayersModel`. */
export async function saveLayersModel(net: Network, dir: string, preprocessing: ModelPreprocessing): Promise<void> {
  const files = await layersModelFiles(net, preprocessing);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(files.modelJson));
  await writeFile(path.join(dir, 'weights.bin'), files.weights);
}

/** Reads a model written by `saveLayersModel` (tf.js's own file:// handler needs tfjs-node). */
export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
  const weights = await readFile(path.join(dir, json.weightsManifest[0].paths[0]));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      userDefinedMetadata: json.userDefinedMetadata,
    }),
  );
}
