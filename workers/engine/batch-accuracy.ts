/**
 * How many of a batch's `n` rows of logits put their largest value (the first
 * one, on a tie, as tf.argMax does) on the row's class, the class being where
 * the one-hot target row holds 1. What a step saw, before its update: a
 * frame's training accuracy is these counts summed over the steps since the
 * previous frame, as its loss is their mean loss.
 */
export function rightRows(out: Float64Array | Float32Array, y: Float64Array | Float32Array, n: number, width: number): number {
  let right = 0;
  for (let r = 0, o = 0; r < n; r++, o += width) {
    let best = 0;
    let max = out[o]!;
    for (let j = 1; j < width; j++) {
      const v = out[o + j]!;
      if (v > max) {
        max = v;
        best = j;
      }
    }
    if (y[o + best] === 1) right++;
  }
  return right;
}
