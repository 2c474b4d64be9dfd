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

/** The whole module: it imports its memory (so the caller sizes and grows it) and exports the kernels. */
export function kernelsWat(): string {
  return `(module
  (import "env" "memory" (memory 1))
${gemm()}
${optimizers()}
${transpose()}
)
`;
}
