/**
 * A matrix's nonzero entries twice over, compressed by rows and by columns,
 * each list in index order: for products that skip the zeros (the kernels'
 * spmm), A·B from the rows and Aᵀ·B from the columns.
 */
export interface SparseRows {
  rows: number;
  cols: number;
  /** Row r's entries are k = rowStart[r] … rowStart[r + 1] − 1: the value rowValues[k] in column rowColumn[k]. */
  rowStart: Int32Array;
  rowColumn: Int32Array;
  rowValues: Float32Array;
  /** Column c's entries are k = colStart[c] … colStart[c + 1] − 1: the value colValues[k] in row colRow[k]. */
  colStart: Int32Array;
  colRow: Int32Array;
  colValues: Float32Array;
}

/**
 * Above this fraction of nonzero entries the dense product is as quick (the sparse one does as many
 * multiply-adds per instruction, and reads an index per entry); MNIST's digits are about 0.19.
 */
export const MAX_SPARSE_DENSITY = 1 / 3;

/**
 * The nonzero entries of `x` ([rows, cols] row-major; NaN counts as nonzero), or undefined when more
 * than MAX_SPARSE_DENSITY of them are nonzero.
 */
export function sparseRowsOf(x: Float32Array, rows: number, cols: number): SparseRows | undefined {
  if (x.length < rows * cols) throw new Error(`sparseRowsOf: ${x.length} values cannot be ${rows}×${cols}`);
  const perCol = new Int32Array(cols + 1);
  let nonzero = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0, i = r * cols; c < cols; c++, i++) {
      if (x[i] !== 0) {
        nonzero++;
        perCol[c + 1]!++;
      }
    }
  }
  if (rows * cols === 0 || nonzero > MAX_SPARSE_DENSITY * rows * cols) return undefined;
  const rowStart = new Int32Array(rows + 1);
  const rowColumn = new Int32Array(nonzero);
  const rowValues = new Float32Array(nonzero);
  const colStart = new Int32Array(cols + 1);
  for (let c = 0; c < cols; c++) colStart[c + 1] = colStart[c]! + perCol[c + 1]!;
  const colRow = new Int32Array(nonzero);
  const colValues = new Float32Array(nonzero);
  const colNext = colStart.slice(0, cols);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0, i = r * cols; c < cols; c++, i++) {
      const v = x[i]!;
      if (v === 0) continue;
      rowColumn[k] = c;
      rowValues[k++] = v;
      const at = colNext[c]!++;
      colRow[at] = r;
      colValues[at] = v;
    }
    rowStart[r + 1] = k;
  }
  return { rows, cols, rowStart, rowColumn, rowValues, colStart, colRow, colValues };
}
