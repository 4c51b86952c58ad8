;; Kernels that TF.js' wasm backend lacks or runs slowly, written with 128-bit SIMD and run directly on
;; that backend's heap (this module imports its memory). Assembled by `npm run wasm:kernels` into
;; kernels-binary.ts; a test fails when that file is stale. Pointers are byte offsets of float32
;; (or int32: transpose moves bits) arrays in the heap.
(module
  ;; The threaded backend's memory is shared; the assembler also emits a copy without `shared`.
  (import "env" "memory" (memory 1 65536 shared))

  ;; One Adam step on n weights: m and v (the optimiser's own moments) are updated in place, the new
  ;; weights go to out (w itself may be shared with other tensors). mScale and vScale are the bias
  ;; corrections 1/(1-beta1^t) and 1/(1-beta2^t); the formula is tf.train.adam's. Moments below
  ;; 1e-30 in magnitude are set to 0: a weight whose gradient stays 0 (a dead unit) has moments
  ;; that decay into float32's subnormal range, where wasm arithmetic is ~100× slower (seen: steps
  ;; 3× slower by the third epoch at batch 32). Their share of an update is below 1e-20.
  (func (export "adam")
    (param $w i32) (param $g i32) (param $m i32) (param $v i32) (param $out i32) (param $n i32)
    (param $beta1 f32) (param $beta2 f32) (param $lr f32) (param $mScale f32) (param $vScale f32) (param $eps f32)
    (local $o i32) (local $end i32) (local $tail i32)
    (local $vb1 v128) (local $vb1c v128) (local $vb2 v128) (local $vb2c v128) (local $vlr v128) (local $vms v128) (local $vvs v128) (local $veps v128)
    (local $gi v128) (local $mi v128) (local $vi v128) (local $vtiny v128)
    (local $sg f32) (local $sm f32) (local $sv f32)
    (local.set $vb1 (f32x4.splat (local.get $beta1)))
    (local.set $vb1c (f32x4.splat (f32.sub (f32.const 1) (local.get $beta1))))
    (local.set $vb2 (f32x4.splat (local.get $beta2)))
    (local.set $vb2c (f32x4.splat (f32.sub (f32.const 1) (local.get $beta2))))
    (local.set $vlr (f32x4.splat (local.get $lr)))
    (local.set $vms (f32x4.splat (local.get $mScale)))
    (local.set $vvs (f32x4.splat (local.get $vScale)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    (local.set $vtiny (f32x4.splat (f32.const 1e-30)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $gi (v128.load (i32.add (local.get $g) (local.get $o))))
        (local.set $mi (f32x4.add (f32x4.mul (local.get $vb1) (v128.load (i32.add (local.get $m) (local.get $o)))) (f32x4.mul (local.get $vb1c) (local.get $gi))))
        (local.set $vi (f32x4.add (f32x4.mul (local.get $vb2) (v128.load (i32.add (local.get $v) (local.get $o)))) (f32x4.mul (local.get $vb2c) (f32x4.mul (local.get $gi) (local.get $gi)))))
        (local.set $mi (v128.and (local.get $mi) (f32x4.ge (f32x4.abs (local.get $mi)) (local.get $vtiny))))
        (local.set $vi (v128.and (local.get $vi) (f32x4.ge (local.get $vi) (local.get $vtiny))))
        (v128.store (i32.add (local.get $m) (local.get $o)) (local.get $mi))
        (v128.store (i32.add (local.get $v) (local.get $o)) (local.get $vi))
        (v128.store (i32.add (local.get $out) (local.get $o))
          (f32x4.sub (v128.load (i32.add (local.get $w) (local.get $o)))
            (f32x4.div (f32x4.mul (local.get $vlr) (f32x4.mul (local.get $mi) (local.get $vms)))
                       (f32x4.add (f32x4.sqrt (f32x4.mul (local.get $vi) (local.get $vvs))) (local.get $veps)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vec)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tdone
      (loop $scalar
        (br_if $tdone (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $sg (f32.load (i32.add (local.get $g) (local.get $o))))
        (local.set $sm (f32.add (f32.mul (local.get $beta1) (f32.load (i32.add (local.get $m) (local.get $o)))) (f32.mul (f32.sub (f32.const 1) (local.get $beta1)) (local.get $sg))))
        (local.set $sv (f32.add (f32.mul (local.get $beta2) (f32.load (i32.add (local.get $v) (local.get $o)))) (f32.mul (f32.sub (f32.const 1) (local.get $beta2)) (f32.mul (local.get $sg) (local.get $sg)))))
        (local.set $sm (select (local.get $sm) (f32.const 0) (f32.ge (f32.abs (local.get $sm)) (f32.const 1e-30))))
        (local.set $sv (select (local.get $sv) (f32.const 0) (f32.ge (local.get $sv) (f32.const 1e-30))))
        (f32.store (i32.add (local.get $m) (local.get $o)) (local.get $sm))
        (f32.store (i32.add (local.get $v) (local.get $o)) (local.get $sv))
        (f32.store (i32.add (local.get $out) (local.get $o))
          (f32.sub (f32.load (i32.add (local.get $w) (local.get $o)))
            (f32.div (f32.mul (local.get $lr) (f32.mul (local.get $sm) (local.get $mScale)))
                     (f32.add (f32.sqrt (f32.mul (local.get $sv) (local.get $vScale))) (local.get $eps)))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $scalar))))

  ;; The gradient of a ReLU capped at max (ReLU6: max 6; plain ReLU: max = +inf) at inputs x:
  ;; out[i] = dy[i] where 0 < x[i] <= max, else 0, as TF.js' relu6 gradient masks it.
  (func (export "reluBackward") (param $x i32) (param $dy i32) (param $out i32) (param $n i32) (param $max f32)
    (local $o i32) (local $end i32) (local $vx v128) (local $vmax v128) (local $xi f32)
    (local.set $vmax (f32x4.splat (local.get $max)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $vx (v128.load (i32.add (local.get $x) (local.get $o))))
        (v128.store (i32.add (local.get $out) (local.get $o))
          (v128.and (v128.load (i32.add (local.get $dy) (local.get $o)))
            (v128.and (f32x4.gt (local.get $vx) (v128.const f32x4 0 0 0 0)) (f32x4.le (local.get $vx) (local.get $vmax)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vec)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tdone
      (loop $scalar
        (br_if $tdone (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $xi (f32.load (i32.add (local.get $x) (local.get $o))))
        (f32.store (i32.add (local.get $out) (local.get $o))
          (select (f32.load (i32.add (local.get $dy) (local.get $o))) (f32.const 0)
            (i32.and (f32.gt (local.get $xi) (f32.const 0)) (f32.le (local.get $xi) (local.get $max)))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $scalar))))

  ;; A dropout mask: out[i] = scale where the draw for counter first+i is below threshold (as
  ;; unsigned 32-bit numbers), else 0. The draw is a counter-based hash (lowbias32 of
  ;; counter × 0x9e3779b9 + seed), so any stretch of a stream can be drawn without the ones
  ;; before it; dropout.ts computes the same numbers in JS for the other backends.
  (func (export "dropoutMask") (param $out i32) (param $n i32) (param $seed i32) (param $first i32) (param $threshold i32) (param $scale f32)
    (local $o i32) (local $end i32) (local $counter i32) (local $x i32)
    (local $vc v128) (local $vx v128) (local $vseed v128) (local $vgold v128) (local $vm1 v128) (local $vm2 v128) (local $vth v128) (local $vscale v128) (local $vfour v128)
    (local.set $vc (i32x4.add (i32x4.splat (local.get $first)) (v128.const i32x4 0 1 2 3)))
    (local.set $vfour (i32x4.splat (i32.const 4)))
    (local.set $vseed (i32x4.splat (local.get $seed)))
    (local.set $vgold (i32x4.splat (i32.const 0x9e3779b9)))
    (local.set $vm1 (i32x4.splat (i32.const 0x7feb352d)))
    (local.set $vm2 (i32x4.splat (i32.const 0x846ca68b)))
    (local.set $vth (i32x4.splat (local.get $threshold)))
    (local.set $vscale (f32x4.splat (local.get $scale)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $vx (i32x4.add (i32x4.mul (local.get $vc) (local.get $vgold)) (local.get $vseed)))
        (local.set $vx (v128.xor (local.get $vx) (i32x4.shr_u (local.get $vx) (i32.const 16))))
        (local.set $vx (i32x4.mul (local.get $vx) (local.get $vm1)))
        (local.set $vx (v128.xor (local.get $vx) (i32x4.shr_u (local.get $vx) (i32.const 15))))
        (local.set $vx (i32x4.mul (local.get $vx) (local.get $vm2)))
        (local.set $vx (v128.xor (local.get $vx) (i32x4.shr_u (local.get $vx) (i32.const 16))))
        (v128.store (i32.add (local.get $out) (local.get $o)) (v128.and (i32x4.lt_u (local.get $vx) (local.get $vth)) (local.get $vscale)))
        (local.set $vc (i32x4.add (local.get $vc) (local.get $vfour)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vec)))
    (local.set $counter (i32.add (local.get $first) (i32.shr_u (local.get $o) (i32.const 2))))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tdone
      (loop $scalar
        (br_if $tdone (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $x (i32.add (i32.mul (local.get $counter) (i32.const 0x9e3779b9)) (local.get $seed)))
        (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 16))))
        (local.set $x (i32.mul (local.get $x) (i32.const 0x7feb352d)))
        (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 15))))
        (local.set $x (i32.mul (local.get $x) (i32.const 0x846ca68b)))
        (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 16))))
        (f32.store (i32.add (local.get $out) (local.get $o))
          (select (local.get $scale) (f32.const 0) (i32.lt_u (local.get $x) (local.get $threshold))))
        (local.set $counter (i32.add (local.get $counter) (i32.const 1)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $scalar))))

  ;; dst[o][j] = scale × Σ_r src[o][r][j] for an outer×reduce×inner array: a sum (or mean) over
  ;; axes in the middle or at the front, as the bias gradient (Sum over a batch) and global
  ;; pooling (Mean over rows and columns) reduce. TF.js' wasm Sum and Mean first move those axes
  ;; last with their slow transpose (3.6 ms for 784×1280); this reads each row once, 16 columns
  ;; at a time in 4 accumulators, then 4 columns, then one.
  (func (export "sumMiddle") (param $src i32) (param $dst i32) (param $outer i32) (param $reduce i32) (param $inner i32) (param $scale f32)
    (local $o i32) (local $j i32) (local $p i32) (local $end i32) (local $rowBytes i32) (local $in i32) (local $out i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $vs v128) (local $s f32)
    (local.set $vs (f32x4.splat (local.get $scale)))
    (local.set $rowBytes (i32.shl (local.get $inner) (i32.const 2)))
    (block $odone (loop $oloop
      (br_if $odone (i32.ge_u (local.get $o) (local.get $outer)))
      (local.set $in (i32.add (local.get $src) (i32.mul (i32.mul (local.get $o) (local.get $reduce)) (local.get $rowBytes))))
      (local.set $out (i32.add (local.get $dst) (i32.mul (local.get $o) (local.get $rowBytes))))
      (local.set $j (i32.const 0))
      ;; 16 columns at a time
      (block $jdone (loop $jloop
        (br_if $jdone (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $inner)))
        (local.set $p (i32.add (local.get $in) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $end (i32.add (local.get $p) (i32.mul (local.get $reduce) (local.get $rowBytes))))
        (local.set $a0 (v128.const f32x4 0 0 0 0)) (local.set $a1 (v128.const f32x4 0 0 0 0))
        (local.set $a2 (v128.const f32x4 0 0 0 0)) (local.set $a3 (v128.const f32x4 0 0 0 0))
        (block $rdone (loop $rloop
          (br_if $rdone (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $a0 (f32x4.add (local.get $a0) (v128.load (local.get $p))))
          (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 (local.get $p))))
          (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 (local.get $p))))
          (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
          (br $rloop)))
        (local.set $p (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))))
        (v128.store (local.get $p) (f32x4.mul (local.get $a0) (local.get $vs)))
        (v128.store offset=16 (local.get $p) (f32x4.mul (local.get $a1) (local.get $vs)))
        (v128.store offset=32 (local.get $p) (f32x4.mul (local.get $a2) (local.get $vs)))
        (v128.store offset=48 (local.get $p) (f32x4.mul (local.get $a3) (local.get $vs)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $jloop)))
      ;; then 4 columns at a time
      (block $j4done (loop $j4loop
        (br_if $j4done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $inner)))
        (local.set $p (i32.add (local.get $in) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $end (i32.add (local.get $p) (i32.mul (local.get $reduce) (local.get $rowBytes))))
        (local.set $a0 (v128.const f32x4 0 0 0 0))
        (block $r4done (loop $r4loop
          (br_if $r4done (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $a0 (f32x4.add (local.get $a0) (v128.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
          (br $r4loop)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))) (f32x4.mul (local.get $a0) (local.get $vs)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $j4loop)))
      ;; then the last columns one by one
      (block $j1done (loop $j1loop
        (br_if $j1done (i32.ge_u (local.get $j) (local.get $inner)))
        (local.set $p (i32.add (local.get $in) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $end (i32.add (local.get $p) (i32.mul (local.get $reduce) (local.get $rowBytes))))
        (local.set $s (f32.const 0))
        (block $r1done (loop $r1loop
          (br_if $r1done (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
          (br $r1loop)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))) (f32.mul (local.get $s) (local.get $scale)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $j1loop)))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (br $oloop))))

  ;; dst[c][r] = src[r][c] for a rows×cols matrix of 4-byte values: 4×4 tiles transposed in
  ;; registers with shuffles, rows and columns past the last multiple of 4 one value at a time.
  ;; Bands of 16 rows: a band's 4 columns fill whole 64-byte lines of dst, and the 16 source
  ;; lines it reads are still in L1 for the next 4 columns (256×1792: 0.43 ms, 0.57 with 4-row bands).
  (func (export "transpose") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $band i32) (local $bandEnd i32) (local $r i32) (local $c i32) (local $rows4 i32) (local $cols4 i32)
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $band) (local.get $rows4)))
      (local.set $bandEnd (select (i32.add (local.get $band) (i32.const 16)) (local.get $rows4)
        (i32.lt_u (i32.add (local.get $band) (i32.const 16)) (local.get $rows4))))
      (local.set $c (i32.const 0))
      (block $cdone (loop $cloop
        (br_if $cdone (i32.ge_u (local.get $c) (local.get $cols4)))
        (local.set $r (local.get $band))
        (block $rdone (loop $rloop
          (br_if $rdone (i32.ge_u (local.get $r) (local.get $bandEnd)))
          (call $tile (local.get $src) (local.get $dst) (local.get $rows) (local.get $cols) (local.get $r) (local.get $c))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (br $rloop)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cloop)))
      (local.set $band (local.get $bandEnd))
      (br $bloop)))
    ;; rows past the last multiple of 4, for the columns done in tiles
    (local.set $c (i32.const 0))
    (block $ldone (loop $lloop
      (br_if $ldone (i32.ge_u (local.get $c) (local.get $cols4)))
      (call $column (local.get $src) (local.get $dst) (local.get $rows) (local.get $cols) (local.get $rows4) (local.get $c))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $lloop)))
    ;; columns past the last multiple of 4, every row
    (block $edone (loop $eloop
      (br_if $edone (i32.ge_u (local.get $c) (local.get $cols)))
      (call $column (local.get $src) (local.get $dst) (local.get $rows) (local.get $cols) (i32.const 0) (local.get $c))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $eloop))))

  ;; The 4×4 tile at row r, column c.
  (func $tile (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32) (param $r i32) (param $c i32)
    (local $p i32) (local $q i32) (local $rowBytes i32) (local $colBytes i32)
    (local $a v128) (local $b v128) (local $cc v128) (local $d v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $colBytes (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $p (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2))))
    (local.set $a (v128.load (local.get $p)))
    (local.set $b (v128.load (i32.add (local.get $p) (local.get $rowBytes))))
    (local.set $cc (v128.load (i32.add (local.get $p) (i32.shl (local.get $rowBytes) (i32.const 1)))))
    (local.set $d (v128.load (i32.add (local.get $p) (i32.mul (local.get $rowBytes) (i32.const 3)))))
    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $cc) (local.get $d)))
    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $cc) (local.get $d)))
    (local.set $q (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2))))
    (v128.store (local.get $q) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
    (v128.store (i32.add (local.get $q) (local.get $colBytes)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
    (v128.store (i32.add (local.get $q) (i32.shl (local.get $colBytes) (i32.const 1))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
    (v128.store (i32.add (local.get $q) (i32.mul (local.get $colBytes) (i32.const 3))) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3))))

  ;; dst[c][r] = src[r][c] for the rows from `from` to the end
  (func $column (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32) (param $from i32) (param $c i32)
    (local $r i32)
    (local.set $r (local.get $from))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
      (f32.store
        (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2)))
        (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $next))))
)
