import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelPreprocessing } from '../../contract/model-preprocessing.ts';
import type { Activation } from '../../shared/model-spec.schema.ts';
import type { Network } from './network.ts';

/** tf.js's name for an activation; leakyReLU is a layer of its own (see `addActivation`). */
function layersActivation(activation: Network['layers'][number]['activation']): 'linear' | Exclude<Activation, 'leakyRelu'> {
  return activation === 'output' || activation === 'leakyRelu' ? 'linear' : activation;
}

/**
 * The network as a tf.js LayersModel with the same weights: a Sequential of
 * dense layers (plus a LeakyReLU layer where one is used); a conv net starts
 * with a reshape of the flat input to its image, its conv2d and maxPooling2d
 * layers and a flatten. Inputs are the network's inputs, i.e. the spec's
 * features for planar tasks and the pixels in [0, 1] for MNIST.
 */
export function toLayersModel(net: Network): tf.Sequential {
  const model = tf.sequential();
  const first = () => (model.layers.length === 0 ? { inputShape: [net.inputDim] } : {});
  if (net.stem) {
    model.add(tf.layers.reshape({ targetShape: [...net.stem.image], inputShape: [net.inputDim] }));
    for (const layer of net.stem.layers) {
      if (layer.type === 'maxPool2d') {
        model.add(tf.layers.maxPooling2d({ poolSize: layer.poolSize, strides: layer.poolSize, padding: 'valid' }));
        continue;
      }
      const [k, , , filters] = layer.kernel.shape as [number, number, number, number];
      const conv = tf.layers.conv2d({ filters, kernelSize: k, strides: layer.strides, padding: 'valid', activation: layersActivation(layer.activation) });
      model.add(conv);
      conv.setWeights([layer.kernel, layer.bias]);
      if (layer.activation === 'leakyRelu') model.add(tf.layers.leakyReLU({ alpha: 0.01 }));
    }
    model.add(tf.layers.flatten());
  }
  for (const layer of net.layers) {
    const [, units] = layer.kernel.shape as [number, number];
    const dense = tf.layers.dense({ units, activation: layersActivation(layer.activation), ...first() });
    model.add(dense);
    dense.setWeights([layer.kernel, layer.bias]);
    if (layer.activation === 'leakyRelu') model.add(tf.layers.leakyReLU({ alpha: 0.01 }));
  }
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
