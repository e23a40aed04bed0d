;; One step of the fused Householder tridiagonalisation pass (see tridiagonal.ts): for rows i = k+1 .. n-1 of
;; the upper triangle of the row-major n x n matrix at byte offset pa, apply the pending rank-2 update
;; a_ij -= vp_i wp_j + wp_i vp_j and accumulate p = A v (p must be zero on entry for indices > k).
;; Vectors vp, wp, v, p (length n) at byte offsets pvp, pwp, pv, pp. f64x2 over j.
(module
  (memory (export "memory") 1)
  (func (export "fused") (param $n i32) (param $k i32) (param $pa i32) (param $pvp i32) (param $pwp i32) (param $pv i32) (param $pp i32)
    (local $i i32) (local $j i32) (local $ri i32) (local $off i32)
    (local $vpi f64) (local $wpi f64) (local $vi f64) (local $aii f64) (local $acc f64) (local $aij f64)
    (local $vpi2 v128) (local $wpi2 v128) (local $vi2 v128) (local $accv v128) (local $A v128) (local $pa2 i32)
    (local.set $i (i32.add (local.get $k) (i32.const 1)))
    (block $idone (loop $iloop
      (br_if $idone (i32.ge_s (local.get $i) (local.get $n)))
      ;; ri = pa + i*n*8
      (local.set $ri (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 3))))
      (local.set $off (i32.shl (local.get $i) (i32.const 3)))
      (local.set $vpi (f64.load (i32.add (local.get $pvp) (local.get $off))))
      (local.set $wpi (f64.load (i32.add (local.get $pwp) (local.get $off))))
      (local.set $vi (f64.load (i32.add (local.get $pv) (local.get $off))))
      (local.set $aii (f64.sub (f64.load (i32.add (local.get $ri) (local.get $off)))
                               (f64.mul (f64.const 2) (f64.mul (local.get $vpi) (local.get $wpi)))))
      (f64.store (i32.add (local.get $ri) (local.get $off)) (local.get $aii))
      (local.set $acc (f64.mul (local.get $aii) (local.get $vi)))
      (local.set $vpi2 (f64x2.splat (local.get $vpi)))
      (local.set $wpi2 (f64x2.splat (local.get $wpi)))
      (local.set $vi2 (f64x2.splat (local.get $vi)))
      (local.set $accv (v128.const f64x2 0 0))
      (local.set $j (i32.add (local.get $i) (i32.const 1)))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_s (i32.add (local.get $j) (i32.const 1)) (local.get $n)))
        (local.set $off (i32.shl (local.get $j) (i32.const 3)))
        (local.set $pa2 (i32.add (local.get $ri) (local.get $off)))
        (local.set $A (f64x2.sub
          (f64x2.sub (v128.load (local.get $pa2))
                     (f64x2.mul (local.get $vpi2) (v128.load (i32.add (local.get $pwp) (local.get $off)))))
          (f64x2.mul (local.get $wpi2) (v128.load (i32.add (local.get $pvp) (local.get $off))))))
        (v128.store (local.get $pa2) (local.get $A))
        (local.set $accv (f64x2.add (local.get $accv) (f64x2.mul (local.get $A) (v128.load (i32.add (local.get $pv) (local.get $off))))))
        (v128.store (i32.add (local.get $pp) (local.get $off))
          (f64x2.add (v128.load (i32.add (local.get $pp) (local.get $off))) (f64x2.mul (local.get $A) (local.get $vi2))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $jloop)))
      ;; scalar tail
      (if (i32.lt_s (local.get $j) (local.get $n)) (then
        (local.set $off (i32.shl (local.get $j) (i32.const 3)))
        (local.set $pa2 (i32.add (local.get $ri) (local.get $off)))
        (local.set $aij (f64.sub (f64.sub (f64.load (local.get $pa2))
                                          (f64.mul (local.get $vpi) (f64.load (i32.add (local.get $pwp) (local.get $off)))))
                                 (f64.mul (local.get $wpi) (f64.load (i32.add (local.get $pvp) (local.get $off))))))
        (f64.store (local.get $pa2) (local.get $aij))
        (local.set $acc (f64.add (local.get $acc) (f64.mul (local.get $aij) (f64.load (i32.add (local.get $pv) (local.get $off))))))
        (f64.store (i32.add (local.get $pp) (local.get $off))
          (f64.add (f64.load (i32.add (local.get $pp) (local.get $off))) (f64.mul (local.get $aij) (local.get $vi))))))
      ;; p_i += acc + both lanes of accv
      (local.set $off (i32.shl (local.get $i) (i32.const 3)))
      (f64.store (i32.add (local.get $pp) (local.get $off))
        (f64.add (f64.load (i32.add (local.get $pp) (local.get $off)))
          (f64.add (local.get $acc) (f64.add (f64x2.extract_lane 0 (local.get $accv)) (f64x2.extract_lane 1 (local.get $accv))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop)))
  )
)
