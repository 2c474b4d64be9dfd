/**
 * The WebAssembly text of the fused step's kernels, generated so the matrix
 * product's register block (MR rows × NR columns held in SIMD registers) is
 * written out without copy and paste. `npm run build:kernels` compiles it with
 * wabt into kernels.wasm, which is committed; a test checks that the committed
 * bytes are what this source builds.
 *
 * Every kernel works on float32 in one linear memory, in byte offsets.
 * Arithmetic is plain IEEE float32 (no fused multiply-add, no relaxed SIMD):
 * each output of the product is `acc = acc + a·b` over p = 0…K−1 in order,
 * whichever part of the kernel computes it, so results are the same on every
 * machine that runs WebAssembly.
 */

/** Rows of A in the register block. */
export const MR = 4;
/** Columns of B in the register block (a multiple of 4: one v128 holds 4). */
export const NR = 8;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * gemm(a, aRow, aCol, b, ldb, c, ldc, M, N, K):
 * C[i,j] = Σ_p A[i,p]·B[p,j] (M×N = M×K · K×N), where A[i,p] is the float at
 * a + 4·(i·aRow + p·aCol) (so A may be read transposed), B is row-major with
 * row stride ldb floats and C row-major with row stride ldc.
 *
 * MR×NR blocks of C are summed in registers over all of K (B's NR columns are
 * read row by row, A's MR rows one float at a time, splatted); the rows that
 * do not fill a block go one at a time, NR wide; the columns right of the last
 * full NR go one float at a time.
 */
function gemm(): string {
  const V = NR / 4;
  const acc = (r: number, v: number) => `$c${r}_${v}`;
  const locals = [
    ...range(MR).flatMap((r) => range(V).map((v) => `(local ${acc(r, v)} v128)`)),
    ...range(V).map((v) => `(local $b${v} v128)`),
    '(local $av v128)',
    ...range(MR).map((r) => `(local $ap${r} i32)`),
    '(local $bp i32) (local $p i32) (local $i i32) (local $j i32) (local $aStep i32) (local $bStep i32) (local $cp i32)',
    '(local $mFull i32) (local $nFull i32) (local $s f32)',
  ];
  /** Rows [from, to) in blocks of mr rows × NR columns, columns [0, nFull): the register block. */
  const blocks = (mr: number, from: string, to: string, tag: string) => {
    const init = range(mr).flatMap((r) => range(V).map((v) => `(local.set ${acc(r, v)} (v128.const i32x4 0 0 0 0))`));
    const rowPointers = range(mr).map((r) => `(local.set $ap${r} (i32.add (local.get $a) (i32.shl (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $aRow)) (i32.const 2))))`);
    const inner = [
      ...range(V).map((v) => `(local.set $b${v} (v128.load offset=${v * 16} (local.get $bp)))`),
      ...range(mr).flatMap((r) => [
        `(local.set $av (v128.load32_splat (local.get $ap${r})))`,
        ...range(V).map((v) => `(local.set ${acc(r, v)} (f32x4.add (local.get ${acc(r, v)}) (f32x4.mul (local.get $av) (local.get $b${v}))))`),
        `(local.set $ap${r} (i32.add (local.get $ap${r}) (local.get $aStep)))`,
      ]),
      '(local.set $bp (i32.add (local.get $bp) (local.get $bStep)))',
    ];
    const store = range(mr).flatMap((r) => range(V).map((v) => `(v128.store offset=${v * 16} (i32.add (local.get $cp) (i32.shl (i32.mul (i32.const ${r}) (local.get $ldc)) (i32.const 2))) (local.get ${acc(r, v)}))`));
    return `
    (local.set $j (i32.const 0))
    (block $jDone${tag} (loop $jLoop${tag}
      (br_if $jDone${tag} (i32.ge_u (local.get $j) (local.get $nFull)))
      (local.set $i ${from})
      (block $iDone${tag} (loop $iLoop${tag}
        (br_if $iDone${tag} (i32.ge_u (local.get $i) ${to}))
        ${[...init, ...rowPointers].join('\n        ')}
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (local.get $K))
        (block $pDone${tag} (loop $pLoop${tag}
          (br_if $pDone${tag} (i32.eqz (local.get $p)))
          ${inner.join('\n          ')}
          (local.set $p (i32.sub (local.get $p) (i32.const 1)))
          (br $pLoop${tag})))
        (local.set $cp (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ldc)) (local.get $j)) (i32.const 2))))
        ${store.join('\n        ')}
        (local.set $i (i32.add (local.get $i) (i32.const ${mr})))
        (br $iLoop${tag})))
      (local.set $j (i32.add (local.get $j) (i32.const ${NR})))
      (br $jLoop${tag})))`;
  };
  return `
  (func $gemm (export "gemm")
    (param $a i32) (param $aRow i32) (param $aCol i32) (param $b i32) (param $ldb i32)
    (param $c i32) (param $ldc i32) (param $M i32) (param $N i32) (param $K i32)
    ${locals.join('\n    ')}
    (local.set $aStep (i32.shl (local.get $aCol) (i32.const 2)))
    (local.set $bStep (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $mFull (i32.sub (local.get $M) (i32.rem_u (local.get $M) (i32.const ${MR}))))
    (local.set $nFull (i32.sub (local.get $N) (i32.rem_u (local.get $N) (i32.const ${NR}))))
    ;; MR rows at a time, then the rows left one at a time, NR columns wide
    ${blocks(MR, '(i32.const 0)', '(local.get $mFull)', 'Main')}
    ${blocks(1, '(local.get $mFull)', '(local.get $M)', 'Rows')}
    ;; the columns right of nFull, one element at a time, in the same order of sums
    (local.set $i (i32.const 0))
    (block $eiDone (loop $eiLoop
      (br_if $eiDone (i32.ge_u (local.get $i) (local.get $M)))
      (local.set $j (local.get $nFull))
      (block $ejDone (loop $ejLoop
        (br_if $ejDone (i32.ge_u (local.get $j) (local.get $N)))
        (local.set $s (f32.const 0))
        (local.set $ap0 (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $aRow)) (i32.const 2))))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (local.get $K))
        (block $epDone (loop $epLoop
          (br_if $epDone (i32.eqz (local.get $p)))
          (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $ap0)) (f32.load (local.get $bp)))))
          (local.set $ap0 (i32.add (local.get $ap0) (local.get $aStep)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bStep)))
          (local.set $p (i32.sub (local.get $p) (i32.const 1)))
          (br $epLoop)))
        (f32.store (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ldc)) (local.get $j)) (i32.const 2))) (local.get $s))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $ejLoop)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $eiLoop)))
  )`;
}

/** Columns of B one register block of spmm covers, in v128s of four floats (8 accumulators: they stay in registers). */
export const SPMM_V = 8;

/**
 * spmm(ptr, idx, vals, rows, b, ldb, c, ldc, N): C = A·B for a sparse A of
 * `rows` rows in compressed rows: row r's entries are k = ptr[r] … ptr[r+1]−1
 * (ptr: i32), each the value vals[k] (f32) in column idx[k] (i32) of A, that
 * is row idx[k] of B; B row-major with row stride ldb floats, C row-major with
 * row stride ldc, N columns. Each output is `acc = acc + a·b` over row r's
 * entries in their order, from 0: with the entries in column order, the
 * dense gemm's sums without their zero terms, so the same to the bit wherever
 * B is finite (a zero term adds nothing to a finite sum).
 *
 * Columns go SPMM_V v128s at a time (A's value splatted, B's row read), then
 * one v128, then one float at a time.
 */
function spmm(): string {
  const chunk = (V: number, tag: string) => `
      (block $jDone${tag} (loop $jLoop${tag}
        (br_if $jDone${tag} (i32.gt_u (i32.add (local.get $j) (i32.const ${4 * V})) (local.get $N)))
        ${range(V).map((v) => `(local.set $c${v} (v128.const i32x4 0 0 0 0))`).join(' ')}
        (local.set $k (local.get $kStart))
        (block $kDone${tag} (loop $kLoop${tag}
          (br_if $kDone${tag} (i32.ge_u (local.get $k) (local.get $kEnd)))
          (local.set $av (v128.load32_splat (i32.add (local.get $vals) (i32.shl (local.get $k) (i32.const 2)))))
          (local.set $bp (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $k) (i32.const 2)))) (local.get $ldb)) (local.get $j)) (i32.const 2))))
          ${range(V).map((v) => `(local.set $c${v} (f32x4.add (local.get $c${v}) (f32x4.mul (local.get $av) (v128.load offset=${16 * v} (local.get $bp)))))`).join('\n          ')}
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kLoop${tag})))
        (local.set $cp (i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2))))
        ${range(V).map((v) => `(v128.store offset=${16 * v} (local.get $cp) (local.get $c${v}))`).join(' ')}
        (local.set $j (i32.add (local.get $j) (i32.const ${4 * V})))
        (br $jLoop${tag})))`;
  return `
  (func (export "spmm")
    (param $ptr i32) (param $idx i32) (param $vals i32) (param $rows i32) (param $b i32) (param $ldb i32)
    (param $c i32) (param $ldc i32) (param $N i32)
    ${range(SPMM_V).map((v) => `(local $c${v} v128)`).join(' ')}
    (local $av v128) (local $r i32) (local $j i32) (local $k i32) (local $kStart i32) (local $kEnd i32)
    (local $bp i32) (local $cp i32) (local $cRow i32) (local $s f32)
    (block $rDone (loop $rLoop
      (br_if $rDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $kStart (i32.load (i32.add (local.get $ptr) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $kEnd (i32.load offset=4 (i32.add (local.get $ptr) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $cRow (i32.add (local.get $c) (i32.shl (i32.mul (local.get $r) (local.get $ldc)) (i32.const 2))))
      (local.set $j (i32.const 0))
      ${chunk(SPMM_V, 'Wide')}
      ${chunk(1, 'One')}
      ;; the columns left, one float at a time
      (block $ejDone (loop $ejLoop
        (br_if $ejDone (i32.ge_u (local.get $j) (local.get $N)))
        (local.set $s (f32.const 0))
        (local.set $k (local.get $kStart))
        (block $ekDone (loop $ekLoop
          (br_if $ekDone (i32.ge_u (local.get $k) (local.get $kEnd)))
          (local.set $s (f32.add (local.get $s) (f32.mul
            (f32.load (i32.add (local.get $vals) (i32.shl (local.get $k) (i32.const 2))))
            (f32.load (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $k) (i32.const 2)))) (local.get $ldb)) (local.get $j)) (i32.const 2)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $ekLoop)))
        (f32.store (i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2))) (local.get $s))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $ejLoop)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rLoop)))
  )`;
}

/** A loop over `count` v128 lanes of four floats from byte offset `$w`; `body` sees `$k`, the byte offset of the lane. */
function lanes(body: string): string {
  return `
    (local.set $k (i32.const 0))
    (local.set $end (i32.shl (local.get $count) (i32.const 4)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
      ${body}
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $next)))`;
}

const at = (ptr: string) => `(i32.add (local.get ${ptr}) (local.get $k))`;
const load = (ptr: string) => `(v128.load ${at(ptr)})`;
const splat = (f: string) => `(f32x4.splat (local.get ${f}))`;

/**
 * The optimizer updates, one pass over a variable and its slots, in the order
 * of operations that optimizer.ts gives tf.js. `count` is in groups of four
 * floats: buffers are padded to a multiple of four with zeros, which stay zero.
 */
function optimizers(): string {
  const common = '(local $k i32) (local $end i32) (local $g v128) (local $s0 v128) (local $s1 v128)';
  return `
  (func (export "sgd") (param $w i32) (param $grad i32) (param $count i32) (param $lr f32)
    ${common}
    ${lanes(`(v128.store ${at('$w')} (f32x4.sub ${load('$w')} (f32x4.mul ${load('$grad')} ${splat('$lr')})))`)}
  )
  (func (export "momentum") (param $w i32) (param $grad i32) (param $acc i32) (param $count i32) (param $lr f32) (param $mu f32)
    ${common}
    ${lanes(`(local.set $s0 (f32x4.add (f32x4.mul ${load('$acc')} ${splat('$mu')}) ${load('$grad')}))
      (v128.store ${at('$acc')} (local.get $s0))
      (v128.store ${at('$w')} (f32x4.sub ${load('$w')} (f32x4.mul (local.get $s0) ${splat('$lr')})))`)}
  )
  (func (export "adam") (param $w i32) (param $grad i32) (param $m i32) (param $v i32) (param $count i32)
    (param $step f32) (param $b1 f32) (param $oneMinusB1 f32) (param $b2 f32) (param $oneMinusB2 f32) (param $eps f32)
    ${common}
    ${lanes(`(local.set $g ${load('$grad')})
      (local.set $s0 (f32x4.add (f32x4.mul ${load('$m')} ${splat('$b1')}) (f32x4.mul (local.get $g) ${splat('$oneMinusB1')})))
      (local.set $s1 (f32x4.add (f32x4.mul ${load('$v')} ${splat('$b2')}) (f32x4.mul (f32x4.mul (local.get $g) (local.get $g)) ${splat('$oneMinusB2')})))
      (v128.store ${at('$m')} (local.get $s0))
      (v128.store ${at('$v')} (local.get $s1))
      (v128.store ${at('$w')} (f32x4.sub ${load('$w')} (f32x4.mul (f32x4.div (local.get $s0) (f32x4.add (f32x4.sqrt (local.get $s1)) ${splat('$eps')})) ${splat('$step')})))`)}
  )
  (func (export "rmsprop") (param $w i32) (param $grad i32) (param $ms i32) (param $count i32)
    (param $lr f32) (param $rho f32) (param $oneMinusRho f32) (param $eps f32)
    ${common}
    ${lanes(`(local.set $g ${load('$grad')})
      (local.set $s0 (f32x4.add (f32x4.mul ${load('$ms')} ${splat('$rho')}) (f32x4.mul (f32x4.mul (local.get $g) (local.get $g)) ${splat('$oneMinusRho')})))
      (v128.store ${at('$ms')} (local.get $s0))
      (v128.store ${at('$w')} (f32x4.sub ${load('$w')} (f32x4.mul (f32x4.div (local.get $g) (f32x4.sqrt (f32x4.add (local.get $s0) ${splat('$eps')}))) ${splat('$lr')})))`)}
  )`;
}

/** transpose(src, rows, cols, dst): dst (cols × rows) = srcᵀ, both row-major. */
function transpose(): string {
  return `
  (func (export "transpose") (param $src i32) (param $rows i32) (param $cols i32) (param $dst i32)
    (local $r i32) (local $c i32)
    (block $rDone (loop $rLoop
      (br_if $rDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $cDone (loop $cLoop
        (br_if $cDone (i32.ge_u (local.get $c) (local.get $cols)))
        (f32.store (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2)))
          (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cLoop)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rLoop)))
  )`;
}

/**
 * Coefficients of tanh(x) ≈ x·P(x²)/Q(x²) on |x| ≤ TANH_CLAMP (the rational
 * approximation Eigen uses for float32, a few ulps from the true value), P's
 * from x¹ up, Q's from x⁰ up.
 */
const TANH_P = [4.89352455891786e-3, 6.37261928875436e-4, 1.48572235717979e-5, 5.12229709037114e-8, -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16];
const TANH_Q = [4.89352518554385e-3, 2.268434632439e-3, 1.18534705686654e-4, 1.19825839466702e-6];
/** Beyond this tanh rounds to ±1 in float32. */
const TANH_CLAMP = 7.90531110763549805;
/** Below this tanh(x) rounds to x in float32. */
const TANH_TINY = 0.0004;

/** Activation codes of dense_lanes (others are applied by the caller to the pre-activations it returns). */
export const LANE_ACTIVATION = { none: 0, relu: 1, tanh: 2, leakyRelu: 3 } as const;

/**
 * dense_lanes(x, xStride, fanIn, w, fanOut, b, out, outStride, n4, act): one
 * dense layer for evaluation, four points at a time, each point in a lane.
 * Inputs lie feature by feature (input k of point p at x + k·xStride + 4p),
 * the outputs likewise (unit j of point p at out + j·outStride + 4p); W is
 * row-major [fanIn, fanOut] and b has fanOut floats. Each output is
 * act(b + Σ_k x_k·w_kj), summed in k order; `act` is a LANE_ACTIVATION code.
 * For measuring only (a frame's evaluation): tanh is a rational
 * approximation, not the training step's.
 */
function denseLanes(): string {
  const poly = (coeffs: number[], v: string) => coeffs.slice(0, -1).reverse().reduce((acc, c) => `(f32x4.add (f32x4.mul ${acc} (local.get ${v})) (f32x4.splat (f32.const ${c})))`, `(f32x4.splat (f32.const ${coeffs[coeffs.length - 1]}))`);
  /** tanh of $acc<u> in place: x·P(x²)/Q(x²) on the clamped value, x itself where |x| is tiny (or x is NaN). */
  const tanh = (u: number) => `
          (local.set $c (f32x4.pmax (f32x4.splat (f32.const -${TANH_CLAMP})) (f32x4.pmin (f32x4.splat (f32.const ${TANH_CLAMP})) (local.get $acc${u}))))
          (local.set $x2 (f32x4.mul (local.get $c) (local.get $c)))
          (local.set $acc${u} (v128.bitselect
            (local.get $acc${u})
            (f32x4.div (f32x4.mul ${poly(TANH_P, '$x2')} (local.get $c)) ${poly(TANH_Q, '$x2')})
            (v128.or (f32x4.lt (f32x4.abs (local.get $acc${u})) (f32x4.splat (f32.const ${TANH_TINY}))) (f32x4.ne (local.get $acc${u}) (local.get $acc${u})))))`;
  const activate = (u: number) => `
        (block $actDone${u}
          (br_if $actDone${u} (i32.eqz (local.get $act)))
          (if (i32.eq (local.get $act) (i32.const 1))
            (then (local.set $acc${u} (f32x4.max (local.get $acc${u}) (f32x4.splat (f32.const 0)))) (br $actDone${u})))
          (if (i32.eq (local.get $act) (i32.const 3))
            (then (local.set $acc${u} (v128.bitselect (local.get $acc${u}) (f32x4.mul (local.get $acc${u}) (f32x4.splat (f32.const 0.01))) (f32x4.gt (local.get $acc${u}) (f32x4.splat (f32.const 0))))) (br $actDone${u})))
          ${tanh(u)})`;
  /** Points [p, end) in steps of 4·U: U vectors of four points each in flight (independent chains), the same sums in the same order as one at a time. */
  const points = (U: number, tag: string, end: string) => `
    (block $pDone${tag} (loop $pLoop${tag}
      (br_if $pDone${tag} (i32.gt_u (i32.add (local.get $p) (i32.const ${16 * U})) ${end}))
      (local.set $j (i32.const 0))
      (local.set $op (i32.add (local.get $out) (local.get $p)))
      (block $jDone${tag} (loop $jLoop${tag}
        (br_if $jDone${tag} (i32.ge_u (local.get $j) (local.get $fanOut)))
        (local.set $wv (v128.load32_splat (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))))
        ${range(U).map((u) => `(local.set $acc${u} (local.get $wv))`).join(' ')}
        (local.set $xp (i32.add (local.get $x) (local.get $p)))
        (local.set $wp (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $k (local.get $fanIn))
        (block $kDone${tag} (loop $kLoop${tag}
          (br_if $kDone${tag} (i32.eqz (local.get $k)))
          (local.set $wv (v128.load32_splat (local.get $wp)))
          ${range(U).map((u) => `(local.set $acc${u} (f32x4.add (local.get $acc${u}) (f32x4.mul (v128.load offset=${16 * u} (local.get $xp)) (local.get $wv))))`).join('\n          ')}
          (local.set $xp (i32.add (local.get $xp) (local.get $xStride)))
          (local.set $wp (i32.add (local.get $wp) (local.get $wStep)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br $kLoop${tag})))
        ${range(U).map(activate).join('')}
        ${range(U).map((u) => `(v128.store offset=${16 * u} (local.get $op) (local.get $acc${u}))`).join(' ')}
        (local.set $op (i32.add (local.get $op) (local.get $outStride)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jLoop${tag})))
      (local.set $p (i32.add (local.get $p) (i32.const ${16 * U})))
      (br $pLoop${tag})))`;
  return `
  (func (export "dense_lanes")
    (param $x i32) (param $xStride i32) (param $fanIn i32) (param $w i32) (param $fanOut i32) (param $b i32)
    (param $out i32) (param $outStride i32) (param $n4 i32) (param $act i32)
    (local $p i32) (local $end i32) (local $j i32) (local $k i32) (local $xp i32) (local $wp i32) (local $op i32) (local $wStep i32)
    (local $acc0 v128) (local $acc1 v128) (local $wv v128) (local $c v128) (local $x2 v128)
    (local.set $wStep (i32.shl (local.get $fanOut) (i32.const 2)))
    (local.set $end (i32.shl (local.get $n4) (i32.const 4)))
    ;; eight points at a time, then the last four
    ${points(2, 'Pair', '(local.get $end)')}
    ${points(1, 'One', '(local.get $end)')}
  )`;
}

/**
 * The float64 kernels of the JavaScript fast path's training step (small dense networks):
 *
 * affine64(x, n, fanIn, w, fanOut, b, z): z[r,j] = b[j] + Σ_k x[r,k]·w[k,j] for r < n, each sum
 * starting at the bias and adding the products in k order; x and z are row-major float64, W is
 * row-major [fanIn, fanOut] float32 and b fanOut float32 (both widened exactly to float64). With W
 * transposed and a zero bias it is also the input gradient dZ·Wᵀ.
 *
 * weight_grad64(x, n, fanIn, dz, fanOut, gw, gb): gw[k,j] = Σ_r x[r,k]·dz[r,j] (rows whose input is
 * zero add nothing and are skipped) and gb[j] = Σ_r dz[r,j], every sum starting at zero and adding
 * the rows in order; all float64, row-major.
 *
 * Two units a lane pair (f64x2), up to eight units in flight; each unit's sum is the same chain of
 * IEEE float64 multiplies and adds as the scalar loops it replaces (no fused multiply-add), so the
 * step's results are the same to the bit.
 */
function step64(): string {
  /** Vectors of two units in flight for each block width, then the odd unit alone. */
  const widths = [4, 2, 1];
  const acc = (u: number) => `$a${u}`;
  const affineBlock = (U: number) => `
        (block $jDone${U} (loop $jLoop${U}
          (br_if $jDone${U} (i32.gt_u (i32.add (local.get $j) (i32.const ${2 * U})) (local.get $fanOut)))
          (local.set $wp (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2))))
          ${range(U).map((u) => `(local.set ${acc(u)} (f64x2.promote_low_f32x4 (v128.load64_zero offset=${8 * u} (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))))`).join('\n          ')}
          (local.set $xp (local.get $xRow))
          (local.set $k (local.get $fanIn))
          (block $kDone${U} (loop $kLoop${U}
            (br_if $kDone${U} (i32.eqz (local.get $k)))
            (local.set $xv (f64x2.splat (f64.load (local.get $xp))))
            ${range(U).map((u) => `(local.set ${acc(u)} (f64x2.add (local.get ${acc(u)}) (f64x2.mul (local.get $xv) (f64x2.promote_low_f32x4 (v128.load64_zero offset=${8 * u} (local.get $wp))))))`).join('\n            ')}
            (local.set $xp (i32.add (local.get $xp) (i32.const 8)))
            (local.set $wp (i32.add (local.get $wp) (local.get $wStep)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $kLoop${U})))
          (local.set $zp (i32.add (local.get $zRow) (i32.shl (local.get $j) (i32.const 3))))
          ${range(U).map((u) => `(v128.store offset=${16 * u} (local.get $zp) (local.get ${acc(u)}))`).join(' ')}
          (local.set $j (i32.add (local.get $j) (i32.const ${2 * U})))
          (br $jLoop${U})))`;
  const gradBlock = (U: number) => `
        (block $jDone${U} (loop $jLoop${U}
          (br_if $jDone${U} (i32.gt_u (i32.add (local.get $j) (i32.const ${2 * U})) (local.get $fanOut)))
          ${range(U).map((u) => `(local.set ${acc(u)} (v128.const f64x2 0 0))`).join(' ')}
          (local.set $xp (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 3))))
          (local.set $dp (i32.add (local.get $dz) (i32.shl (local.get $j) (i32.const 3))))
          (local.set $r (local.get $n))
          (block $rDone${U} (loop $rLoop${U}
            (br_if $rDone${U} (i32.eqz (local.get $r)))
            (local.set $xs (f64.load (local.get $xp)))
            (if (f64.ne (local.get $xs) (f64.const 0)) (then
              (local.set $xv (f64x2.splat (local.get $xs)))
              ${range(U).map((u) => `(local.set ${acc(u)} (f64x2.add (local.get ${acc(u)}) (f64x2.mul (local.get $xv) (v128.load offset=${16 * u} (local.get $dp)))))`).join('\n              ')}))
            (local.set $xp (i32.add (local.get $xp) (local.get $xStep)))
            (local.set $dp (i32.add (local.get $dp) (local.get $dStep)))
            (local.set $r (i32.sub (local.get $r) (i32.const 1)))
            (br $rLoop${U})))
          (local.set $gp (i32.add (local.get $gw) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $fanOut)) (local.get $j)) (i32.const 3))))
          ${range(U).map((u) => `(v128.store offset=${16 * u} (local.get $gp) (local.get ${acc(u)}))`).join(' ')}
          (local.set $j (i32.add (local.get $j) (i32.const ${2 * U})))
          (br $jLoop${U})))`;
  const biasBlock = (U: number) => `
      (block $bDone${U} (loop $bLoop${U}
        (br_if $bDone${U} (i32.gt_u (i32.add (local.get $j) (i32.const ${2 * U})) (local.get $fanOut)))
        ${range(U).map((u) => `(local.set ${acc(u)} (v128.const f64x2 0 0))`).join(' ')}
        (local.set $dp (i32.add (local.get $dz) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $r (local.get $n))
        (block $brDone${U} (loop $brLoop${U}
          (br_if $brDone${U} (i32.eqz (local.get $r)))
          ${range(U).map((u) => `(local.set ${acc(u)} (f64x2.add (local.get ${acc(u)}) (v128.load offset=${16 * u} (local.get $dp))))`).join(' ')}
          (local.set $dp (i32.add (local.get $dp) (local.get $dStep)))
          (local.set $r (i32.sub (local.get $r) (i32.const 1)))
          (br $brLoop${U})))
        (local.set $gp (i32.add (local.get $gb) (i32.shl (local.get $j) (i32.const 3))))
        ${range(U).map((u) => `(v128.store offset=${16 * u} (local.get $gp) (local.get ${acc(u)}))`).join(' ')}
        (local.set $j (i32.add (local.get $j) (i32.const ${2 * U})))
        (br $bLoop${U})))`;
  const accs = range(4).map((u) => `(local ${acc(u)} v128)`).join(' ');
  return `
  (func (export "affine64")
    (param $x i32) (param $n i32) (param $fanIn i32) (param $w i32) (param $fanOut i32) (param $b i32) (param $z i32)
    (local $r i32) (local $j i32) (local $k i32) (local $xp i32) (local $wp i32) (local $zp i32) (local $wStep i32)
    (local $xRow i32) (local $zRow i32) (local $s f64) (local $xv v128) ${accs}
    (local.set $wStep (i32.shl (local.get $fanOut) (i32.const 2)))
    (block $rDone (loop $rLoop
      (br_if $rDone (i32.ge_u (local.get $r) (local.get $n)))
      (local.set $xRow (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $fanIn)) (i32.const 3))))
      (local.set $zRow (i32.add (local.get $z) (i32.shl (i32.mul (local.get $r) (local.get $fanOut)) (i32.const 3))))
      (local.set $j (i32.const 0))
      ${widths.map(affineBlock).join('')}
      ;; the odd unit left, alone
      (if (i32.lt_u (local.get $j) (local.get $fanOut)) (then
        (local.set $s (f64.promote_f32 (f32.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $xp (local.get $xRow))
        (local.set $wp (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $k (local.get $fanIn))
        (block $kDone (loop $kLoop
          (br_if $kDone (i32.eqz (local.get $k)))
          (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (local.get $xp)) (f64.promote_f32 (f32.load (local.get $wp))))))
          (local.set $xp (i32.add (local.get $xp) (i32.const 8)))
          (local.set $wp (i32.add (local.get $wp) (local.get $wStep)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br $kLoop)))
        (f64.store (i32.add (local.get $zRow) (i32.shl (local.get $j) (i32.const 3))) (local.get $s))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rLoop)))
  )
  (func (export "weight_grad64")
    (param $x i32) (param $n i32) (param $fanIn i32) (param $dz i32) (param $fanOut i32) (param $gw i32) (param $gb i32)
    (local $r i32) (local $j i32) (local $k i32) (local $xp i32) (local $dp i32) (local $gp i32) (local $xStep i32) (local $dStep i32)
    (local $xs f64) (local $s f64) (local $xv v128) ${accs}
    (local.set $xStep (i32.shl (local.get $fanIn) (i32.const 3)))
    (local.set $dStep (i32.shl (local.get $fanOut) (i32.const 3)))
    (block $kAllDone (loop $kAll
      (br_if $kAllDone (i32.ge_u (local.get $k) (local.get $fanIn)))
      (local.set $j (i32.const 0))
      ${widths.map(gradBlock).join('')}
      (if (i32.lt_u (local.get $j) (local.get $fanOut)) (then
        (local.set $s (f64.const 0))
        (local.set $xp (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 3))))
        (local.set $dp (i32.add (local.get $dz) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $r (local.get $n))
        (block $rDone (loop $rLoop
          (br_if $rDone (i32.eqz (local.get $r)))
          (local.set $xs (f64.load (local.get $xp)))
          (if (f64.ne (local.get $xs) (f64.const 0)) (then
            (local.set $s (f64.add (local.get $s) (f64.mul (local.get $xs) (f64.load (local.get $dp)))))))
          (local.set $xp (i32.add (local.get $xp) (local.get $xStep)))
          (local.set $dp (i32.add (local.get $dp) (local.get $dStep)))
          (local.set $r (i32.sub (local.get $r) (i32.const 1)))
          (br $rLoop)))
        (f64.store (i32.add (local.get $gw) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $fanOut)) (local.get $j)) (i32.const 3))) (local.get $s))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $kAll)))
    (local.set $j (i32.const 0))
    ${widths.map(biasBlock).join('')}
    (if (i32.lt_u (local.get $j) (local.get $fanOut)) (then
      (local.set $s (f64.const 0))
      (local.set $dp (i32.add (local.get $dz) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $r (local.get $n))
      (block $brDone (loop $brLoop
        (br_if $brDone (i32.eqz (local.get $r)))
        (local.set $s (f64.add (local.get $s) (f64.load (local.get $dp))))
        (local.set $dp (i32.add (local.get $dp) (local.get $dStep)))
        (local.set $r (i32.sub (local.get $r) (i32.const 1)))
        (br $brLoop)))
      (f64.store (i32.add (local.get $gb) (i32.shl (local.get $j) (i32.const 3))) (local.get $s))))
  )`;
}

/** The whole module: it imports its memory (so the caller sizes and grows it) and exports the kernels. */
export function kernelsWat(): string {
  return `(module
  (import "env" "memory" (memory 1))
${gemm()}
${optimizers()}
${transpose()}
${denseLanes()}
${step64()}
${spmm()}
)
`;
}
