;; Squared euclidean distances between two tiles of float32 rows, in 128-bit SIMD (4 lanes).
;; Compiled by `npm run build:wasm` into sqdist-wasm.ts; sqdist.ts loads it and states the error bound.
;;
;; tile(a, na, b, nb, d, out, hi, list): out[j·na + i] = Σₖ (a[i·d + k] − b[j·d + k])² for i < na,
;; j < nb, every address in bytes, rows d floats apart. na must be a multiple of 4 and nb of 2 (callers pad
;; the tiles), and the 16 bytes before a row must be readable (callers leave them before the first row).
;; The indices j·na + i of the values that are not above hi (or are +∞ or NaN) go to list, in order;
;; returns their count. Most pairs lie above a search radius, so callers read only the list.
;; Rows are taken four by two: each pass over the coordinates loads six rows' worth of 4-lane vectors and
;; updates eight accumulators, so a loaded vector serves two or four pairs. Lane l of an accumulator sums
;; the coordinates k ≡ l (mod 4) of the whole vectors; when d is not a multiple of 4 the last vector is
;; read ending at the row's end, its lanes already counted masked to zero (adding +0 rounds nothing).
;; Lanes are added as (l0 + l2) + (l1 + l3). Every operation rounds to float32, and at most ⌈d/4⌉ + 4
;; roundings lie on the path of any term (difference, square, lane additions, two for the lanes): the
;; count behind sqdist.ts's error bound.
;; The lane sums and the listing are written out in each kernel rather than called: V8 does not inline
;; these calls, and they made a 32-dimensional tile 30–40 % slower.
(module
  (import "env" "memory" (memory 1 65536 shared))

;; appends at list[count…] the indices at + l of the set bits l of bits; returns the new count
  (func $push (param $bits i32) (param $at i32) (param $list i32) (param $count i32) (result i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $bits)))
        (i32.store
          (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2)))
          (i32.add (local.get $at) (i32.ctz (local.get $bits))))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
        (br $next)))
    (local.get $count))

  (func (export "tile")
    (param $a i32) (param $na i32) (param $b i32) (param $nb i32) (param $d i32) (param $out i32)
    (param $hi f32) (param $list i32) (result i32)
    (local $count i32) (local $his v128) (local $v0 v128) (local $v1 v128) (local $u v128) (local $bits i32)
    (local $row i32) (local $vec i32) (local $lastAt i32) (local $mask v128) (local $i i32) (local $j i32)
    (local $k i32) (local $o i32) (local $t v128)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $pb0 i32) (local $pb1 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $b0 v128) (local $b1 v128)
    (local $s00 v128) (local $s10 v128) (local $s20 v128) (local $s30 v128)
    (local $s01 v128) (local $s11 v128) (local $s21 v128) (local $s31 v128)
    ;; bytes per row, bytes covered by whole vectors, where the last (partial) vector is read
    (local.set $row (i32.shl (local.get $d) (i32.const 2)))
    (local.set $vec (i32.and (local.get $row) (i32.const -16)))
    (local.set $lastAt (i32.sub (local.get $row) (i32.const 16)))
    ;; lane l of the last vector is new when l ≥ 4 − d mod 4
    (local.set $mask
      (i32x4.gt_s
        (v128.const i32x4 0 1 2 3)
        (i32x4.splat (i32.sub (i32.const 3) (i32.and (local.get $d) (i32.const 3))))))
    (local.set $his (f32x4.splat (local.get $hi)))
    (local.set $count (i32.const 0))
    (local.set $i (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $na)))
        (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $row))))
        (local.set $pa1 (i32.add (local.get $pa0) (local.get $row)))
        (local.set $pa2 (i32.add (local.get $pa1) (local.get $row)))
        (local.set $pa3 (i32.add (local.get $pa2) (local.get $row)))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $j) (local.get $nb)))
            (local.set $pb0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $row))))
            (local.set $pb1 (i32.add (local.get $pb0) (local.get $row)))
            (local.set $s00 (v128.const i32x4 0 0 0 0))
            (local.set $s10 (v128.const i32x4 0 0 0 0))
            (local.set $s20 (v128.const i32x4 0 0 0 0))
            (local.set $s30 (v128.const i32x4 0 0 0 0))
            (local.set $s01 (v128.const i32x4 0 0 0 0))
            (local.set $s11 (v128.const i32x4 0 0 0 0))
            (local.set $s21 (v128.const i32x4 0 0 0 0))
            (local.set $s31 (v128.const i32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (block $vecDone
              (loop $vecs
                (br_if $vecDone (i32.ge_u (local.get $k) (local.get $vec)))
                (local.set $a0 (v128.load align=4 (i32.add (local.get $pa0) (local.get $k))))
                (local.set $a1 (v128.load align=4 (i32.add (local.get $pa1) (local.get $k))))
                (local.set $a2 (v128.load align=4 (i32.add (local.get $pa2) (local.get $k))))
                (local.set $a3 (v128.load align=4 (i32.add (local.get $pa3) (local.get $k))))
                (local.set $b0 (v128.load align=4 (i32.add (local.get $pb0) (local.get $k))))
                (local.set $b1 (v128.load align=4 (i32.add (local.get $pb1) (local.get $k))))
                (local.set $t (f32x4.sub (local.get $a0) (local.get $b0)))
                (local.set $s00 (f32x4.add (local.get $s00) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t (f32x4.sub (local.get $a1) (local.get $b0)))
                (local.set $s10 (f32x4.add (local.get $s10) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t (f32x4.sub (local.get $a2) (local.get $b0)))
                (local.set $s20 (f32x4.add (local.get $s20) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t (f32x4.sub (local.get $a3) (local.get $b0)))
                (local.set $s30 (f32x4.add (local.get $s30) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t (f32x4.sub (local.get $a0) (local.get $b1)))
                (local.set $s01 (f32x4.add (local.get $s01) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t (f32x4.sub (local.get $a1) (local.get $b1)))
                (local.set $s11 (f32x4.add (local.get $s11) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t (f32x4.sub (local.get $a2) (local.get $b1)))
                (local.set $s21 (f32x4.add (local.get $s21) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t (f32x4.sub (local.get $a3) (local.get $b1)))
                (local.set $s31 (f32x4.add (local.get $s31) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $vecs)))
            (if (i32.ne (local.get $vec) (local.get $row))
              (then
                (local.set $a0 (v128.load align=4 (i32.add (local.get $pa0) (local.get $lastAt))))
                (local.set $a1 (v128.load align=4 (i32.add (local.get $pa1) (local.get $lastAt))))
                (local.set $a2 (v128.load align=4 (i32.add (local.get $pa2) (local.get $lastAt))))
                (local.set $a3 (v128.load align=4 (i32.add (local.get $pa3) (local.get $lastAt))))
                (local.set $b0 (v128.load align=4 (i32.add (local.get $pb0) (local.get $lastAt))))
                (local.set $b1 (v128.load align=4 (i32.add (local.get $pb1) (local.get $lastAt))))
                (local.set $t (v128.and (f32x4.sub (local.get $a0) (local.get $b0)) (local.get $mask)))
                (local.set $s00 (f32x4.add (local.get $s00) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t (v128.and (f32x4.sub (local.get $a1) (local.get $b0)) (local.get $mask)))
                (local.set $s10 (f32x4.add (local.get $s10) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t (v128.and (f32x4.sub (local.get $a2) (local.get $b0)) (local.get $mask)))
                (local.set $s20 (f32x4.add (local.get $s20) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t (v128.and (f32x4.sub (local.get $a3) (local.get $b0)) (local.get $mask)))
                (local.set $s30 (f32x4.add (local.get $s30) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t (v128.and (f32x4.sub (local.get $a0) (local.get $b1)) (local.get $mask)))
                (local.set $s01 (f32x4.add (local.get $s01) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t (v128.and (f32x4.sub (local.get $a1) (local.get $b1)) (local.get $mask)))
                (local.set $s11 (f32x4.add (local.get $s11) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t (v128.and (f32x4.sub (local.get $a2) (local.get $b1)) (local.get $mask)))
                (local.set $s21 (f32x4.add (local.get $s21) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t (v128.and (f32x4.sub (local.get $a3) (local.get $b1)) (local.get $mask)))
                (local.set $s31 (f32x4.add (local.get $s31) (f32x4.mul (local.get $t) (local.get $t))))))
            ;; column j of the output holds rows i … i + 3 side by side
            (local.set $o
              (i32.add (local.get $out)
                (i32.shl (i32.add (i32.mul (local.get $j) (local.get $na)) (local.get $i)) (i32.const 2))))
            ;; lane sums of column 0: t = (s0₀ + s0₂, s1₀ + s1₂, s0₁ + s0₃, s1₁ + s1₃), u likewise for
            ;; rows 2 and 3, then (t₀ + t₂, t₁ + t₃, u₀ + u₂, u₁ + u₃)
            (local.set $t
              (f32x4.add
                (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s00) (local.get $s10))
                (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s00) (local.get $s10))))
            (local.set $u
              (f32x4.add
                (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s20) (local.get $s30))
                (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s20) (local.get $s30))))
            (local.set $v0
              (f32x4.add
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t) (local.get $u))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t) (local.get $u))))
            ;; lane sums of column 1: t = (s0₀ + s0₂, s1₀ + s1₂, s0₁ + s0₃, s1₁ + s1₃), u likewise for
            ;; rows 2 and 3, then (t₀ + t₂, t₁ + t₃, u₀ + u₂, u₁ + u₃)
            (local.set $t
              (f32x4.add
                (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s01) (local.get $s11))
                (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s01) (local.get $s11))))
            (local.set $u
              (f32x4.add
                (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s21) (local.get $s31))
                (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s21) (local.get $s31))))
            (local.set $v1
              (f32x4.add
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t) (local.get $u))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t) (local.get $u))))
            (v128.store align=4 (local.get $o) (local.get $v0))
            (v128.store align=4 (i32.add (local.get $o) (i32.shl (local.get $na) (i32.const 2))) (local.get $v1))
            ;; lanes not above hi, or +∞ (NaN compares false, so it is listed too)
            (local.set $bits
              (i32x4.bitmask
                (v128.or
                  (v128.not (f32x4.gt (local.get $v0) (local.get $his)))
                  (f32x4.eq (local.get $v0) (v128.const f32x4 inf inf inf inf)))))
            (if (local.get $bits)
              (then
                (local.set $count
                  (call $push (local.get $bits) (i32.add (i32.mul (local.get $j) (local.get $na)) (local.get $i)) (local.get $list) (local.get $count)))))
            ;; lanes not above hi, or +∞ (NaN compares false, so it is listed too)
            (local.set $bits
              (i32x4.bitmask
                (v128.or
                  (v128.not (f32x4.gt (local.get $v1) (local.get $his)))
                  (f32x4.eq (local.get $v1) (v128.const f32x4 inf inf inf inf)))))
            (if (local.get $bits)
              (then
                (local.set $count
                  (call $push (local.get $bits) (i32.add (i32.mul (i32.add (local.get $j) (i32.const 1)) (local.get $na)) (local.get $i)) (local.get $list) (local.get $count)))))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))
    (local.get $count))

  ;; tileGram(a, na, b, nb, d, out, hi, list, an, bn): the same squared distances (same layout, same list)
  ;; as ‖a‖² + ‖b‖² − 2a·b, from the rows' squared norms as float32 (an: the a-rows' four by four, bn: the
  ;; b-rows', in bytes; an must stay readable up to na rounded to 4). Two operations per four coordinates
  ;; (multiply, add) instead of three, so about 1.4 times faster; its error scales with ‖a‖² + ‖b‖², not
  ;; with the distance (sqdist.ts bounds it and picks this kernel only where that error stays small).
  ;; Each product passes at most ⌈d/4⌉ + 3 roundings (product, lane additions, two lane sums).
  (func (export "tileGram")
    (param $a i32) (param $na i32) (param $b i32) (param $nb i32) (param $d i32) (param $out i32)
    (param $hi f32) (param $list i32) (param $an i32) (param $bn i32) (result i32)
    (local $count i32) (local $his v128) (local $v0 v128) (local $v1 v128) (local $u v128) (local $bits i32)
    (local $row i32) (local $vec i32) (local $lastAt i32) (local $mask v128) (local $i i32) (local $j i32)
    (local $k i32) (local $o i32) (local $t v128) (local $norms v128)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $pb0 i32) (local $pb1 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $b0 v128) (local $b1 v128)
    (local $s00 v128) (local $s10 v128) (local $s20 v128) (local $s30 v128)
    (local $s01 v128) (local $s11 v128) (local $s21 v128) (local $s31 v128)
    (local.set $row (i32.shl (local.get $d) (i32.const 2)))
    (local.set $vec (i32.and (local.get $row) (i32.const -16)))
    (local.set $lastAt (i32.sub (local.get $row) (i32.const 16)))
    (local.set $mask
      (i32x4.gt_s
        (v128.const i32x4 0 1 2 3)
        (i32x4.splat (i32.sub (i32.const 3) (i32.and (local.get $d) (i32.const 3))))))
    (local.set $his (f32x4.splat (local.get $hi)))
    (local.set $count (i32.const 0))
    (local.set $i (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $na)))
        (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $row))))
        (local.set $pa1 (i32.add (local.get $pa0) (local.get $row)))
        (local.set $pa2 (i32.add (local.get $pa1) (local.get $row)))
        (local.set $pa3 (i32.add (local.get $pa2) (local.get $row)))
        (local.set $norms (v128.load align=4 (i32.add (local.get $an) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $j) (local.get $nb)))
            (local.set $pb0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $row))))
            (local.set $pb1 (i32.add (local.get $pb0) (local.get $row)))
            (local.set $s00 (v128.const i32x4 0 0 0 0))
            (local.set $s10 (v128.const i32x4 0 0 0 0))
            (local.set $s20 (v128.const i32x4 0 0 0 0))
            (local.set $s30 (v128.const i32x4 0 0 0 0))
            (local.set $s01 (v128.const i32x4 0 0 0 0))
            (local.set $s11 (v128.const i32x4 0 0 0 0))
            (local.set $s21 (v128.const i32x4 0 0 0 0))
            (local.set $s31 (v128.const i32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (block $vecDone
              (loop $vecs
                (br_if $vecDone (i32.ge_u (local.get $k) (local.get $vec)))
                (local.set $a0 (v128.load align=4 (i32.add (local.get $pa0) (local.get $k))))
                (local.set $a1 (v128.load align=4 (i32.add (local.get $pa1) (local.get $k))))
                (local.set $a2 (v128.load align=4 (i32.add (local.get $pa2) (local.get $k))))
                (local.set $a3 (v128.load align=4 (i32.add (local.get $pa3) (local.get $k))))
                (local.set $b0 (v128.load align=4 (i32.add (local.get $pb0) (local.get $k))))
                (local.set $b1 (v128.load align=4 (i32.add (local.get $pb1) (local.get $k))))
                (local.set $s00 (f32x4.add (local.get $s00) (f32x4.mul (local.get $a0) (local.get $b0))))
                (local.set $s10 (f32x4.add (local.get $s10) (f32x4.mul (local.get $a1) (local.get $b0))))
                (local.set $s20 (f32x4.add (local.get $s20) (f32x4.mul (local.get $a2) (local.get $b0))))
                (local.set $s30 (f32x4.add (local.get $s30) (f32x4.mul (local.get $a3) (local.get $b0))))
                (local.set $s01 (f32x4.add (local.get $s01) (f32x4.mul (local.get $a0) (local.get $b1))))
                (local.set $s11 (f32x4.add (local.get $s11) (f32x4.mul (local.get $a1) (local.get $b1))))
                (local.set $s21 (f32x4.add (local.get $s21) (f32x4.mul (local.get $a2) (local.get $b1))))
                (local.set $s31 (f32x4.add (local.get $s31) (f32x4.mul (local.get $a3) (local.get $b1))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $vecs)))
            (if (i32.ne (local.get $vec) (local.get $row))
              (then
                (local.set $a0 (v128.and (v128.load align=4 (i32.add (local.get $pa0) (local.get $lastAt))) (local.get $mask)))
                (local.set $a1 (v128.and (v128.load align=4 (i32.add (local.get $pa1) (local.get $lastAt))) (local.get $mask)))
                (local.set $a2 (v128.and (v128.load align=4 (i32.add (local.get $pa2) (local.get $lastAt))) (local.get $mask)))
                (local.set $a3 (v128.and (v128.load align=4 (i32.add (local.get $pa3) (local.get $lastAt))) (local.get $mask)))
                (local.set $b0 (v128.and (v128.load align=4 (i32.add (local.get $pb0) (local.get $lastAt))) (local.get $mask)))
                (local.set $b1 (v128.and (v128.load align=4 (i32.add (local.get $pb1) (local.get $lastAt))) (local.get $mask)))
                (local.set $s00 (f32x4.add (local.get $s00) (f32x4.mul (local.get $a0) (local.get $b0))))
                (local.set $s10 (f32x4.add (local.get $s10) (f32x4.mul (local.get $a1) (local.get $b0))))
                (local.set $s20 (f32x4.add (local.get $s20) (f32x4.mul (local.get $a2) (local.get $b0))))
                (local.set $s30 (f32x4.add (local.get $s30) (f32x4.mul (local.get $a3) (local.get $b0))))
                (local.set $s01 (f32x4.add (local.get $s01) (f32x4.mul (local.get $a0) (local.get $b1))))
                (local.set $s11 (f32x4.add (local.get $s11) (f32x4.mul (local.get $a1) (local.get $b1))))
                (local.set $s21 (f32x4.add (local.get $s21) (f32x4.mul (local.get $a2) (local.get $b1))))
                (local.set $s31 (f32x4.add (local.get $s31) (f32x4.mul (local.get $a3) (local.get $b1))))))
            (local.set $o
              (i32.add (local.get $out)
                (i32.shl (i32.add (i32.mul (local.get $j) (local.get $na)) (local.get $i)) (i32.const 2))))
            ;; lane sums as in tile, then v = (‖a‖² + ‖b‖²) − 2a·b
            (local.set $t
              (f32x4.add
                (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s00) (local.get $s10))
                (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s00) (local.get $s10))))
            (local.set $u
              (f32x4.add
                (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s20) (local.get $s30))
                (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s20) (local.get $s30))))
            (local.set $v0
              (f32x4.add
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t) (local.get $u))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t) (local.get $u))))
            (local.set $v0
              (f32x4.sub
                (f32x4.add (local.get $norms)
                  (v128.load32_splat align=4 (i32.add (local.get $bn) (i32.shl (local.get $j) (i32.const 2)))))
                (f32x4.add (local.get $v0) (local.get $v0))))
            (local.set $t
              (f32x4.add
                (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s01) (local.get $s11))
                (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s01) (local.get $s11))))
            (local.set $u
              (f32x4.add
                (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s21) (local.get $s31))
                (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s21) (local.get $s31))))
            (local.set $v1
              (f32x4.add
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t) (local.get $u))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t) (local.get $u))))
            (local.set $v1
              (f32x4.sub
                (f32x4.add (local.get $norms)
                  (v128.load32_splat align=4 (i32.add (local.get $bn) (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 2)))))
                (f32x4.add (local.get $v1) (local.get $v1))))
            (v128.store align=4 (local.get $o) (local.get $v0))
            (v128.store align=4 (i32.add (local.get $o) (i32.shl (local.get $na) (i32.const 2))) (local.get $v1))
            ;; lanes not above hi, or not finite (NaN compares false; −∞ is below hi)
            (local.set $bits
              (i32x4.bitmask
                (v128.or
                  (v128.not (f32x4.gt (local.get $v0) (local.get $his)))
                  (f32x4.eq (local.get $v0) (v128.const f32x4 inf inf inf inf)))))
            (if (local.get $bits)
              (then
                (local.set $count
                  (call $push (local.get $bits) (i32.add (i32.mul (local.get $j) (local.get $na)) (local.get $i)) (local.get $list) (local.get $count)))))
            (local.set $bits
              (i32x4.bitmask
                (v128.or
                  (v128.not (f32x4.gt (local.get $v1) (local.get $his)))
                  (f32x4.eq (local.get $v1) (v128.const f32x4 inf inf inf inf)))))
            (if (local.get $bits)
              (then
                (local.set $count
                  (call $push (local.get $bits) (i32.add (i32.mul (i32.add (local.get $j) (i32.const 1)) (local.get $na)) (local.get $i)) (local.get $list) (local.get $count)))))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))
    (local.get $count))

  ;; tileColumns(a, na, g, ng, d, out, hi, list): the same distances for low d, with the b side stored by
  ;; columns: groups of four rows, each holding for every coordinate k the four rows' values side by side
  ;; (16 bytes at 16·k), ng groups from address g on. Then one vector holds four pairs and no lanes need
  ;; adding up: each lane sums its d terms in coordinate order (d + 2 roundings per term).
  ;; out[i·4·ng + 4·h + l] is the distance from a-row i to row l of group h; list and hi as for tile.
  ;; na must be a multiple of 4.
  (func (export "tileColumns")
    (param $a i32) (param $na i32) (param $g i32) (param $ng i32) (param $d i32) (param $out i32)
    (param $hi f32) (param $list i32) (result i32)
    (local $count i32) (local $his v128) (local $bits i32) (local $row i32) (local $outRow i32)
    (local $i i32) (local $h i32) (local $k i32) (local $pg i32) (local $o i32) (local $at i32)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32)
    (local $bv v128) (local $t v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $his (f32x4.splat (local.get $hi)))
    (local.set $count (i32.const 0))
    (local.set $row (i32.shl (local.get $d) (i32.const 2)))
    (local.set $outRow (i32.shl (local.get $ng) (i32.const 4)))
    (local.set $i (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $na)))
        (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $row))))
        (local.set $pa1 (i32.add (local.get $pa0) (local.get $row)))
        (local.set $pa2 (i32.add (local.get $pa1) (local.get $row)))
        (local.set $pa3 (i32.add (local.get $pa2) (local.get $row)))
        (local.set $h (i32.const 0))
        (block $groupsDone
          (loop $groups
            (br_if $groupsDone (i32.ge_u (local.get $h) (local.get $ng)))
            (local.set $pg
              (i32.add (local.get $g) (i32.mul (local.get $h) (i32.shl (local.get $row) (i32.const 2)))))
            (local.set $s0 (v128.const i32x4 0 0 0 0))
            (local.set $s1 (v128.const i32x4 0 0 0 0))
            (local.set $s2 (v128.const i32x4 0 0 0 0))
            (local.set $s3 (v128.const i32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (block $coordsDone
              (loop $coords
                (br_if $coordsDone (i32.ge_u (local.get $k) (local.get $row)))
                (local.set $bv (v128.load (i32.add (local.get $pg) (i32.shl (local.get $k) (i32.const 2)))))
                (local.set $t
                  (f32x4.sub (f32x4.splat (f32.load (i32.add (local.get $pa0) (local.get $k)))) (local.get $bv)))
                (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t
                  (f32x4.sub (f32x4.splat (f32.load (i32.add (local.get $pa1) (local.get $k)))) (local.get $bv)))
                (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t
                  (f32x4.sub (f32x4.splat (f32.load (i32.add (local.get $pa2) (local.get $k)))) (local.get $bv)))
                (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $t
                  (f32x4.sub (f32x4.splat (f32.load (i32.add (local.get $pa3) (local.get $k)))) (local.get $bv)))
                (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $t) (local.get $t))))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $coords)))
            ;; out index of (row i, lane 0 of group h), then rows i + 1 … i + 3 one output row apart
            (local.set $at (i32.add (i32.mul (local.get $i) (i32.shl (local.get $ng) (i32.const 2)))
              (i32.shl (local.get $h) (i32.const 2))))
            (local.set $o (i32.add (local.get $out) (i32.shl (local.get $at) (i32.const 2))))
            (v128.store (local.get $o) (local.get $s0))
            (v128.store (i32.add (local.get $o) (local.get $outRow)) (local.get $s1))
            (v128.store (i32.add (local.get $o) (i32.shl (local.get $outRow) (i32.const 1))) (local.get $s2))
            (v128.store (i32.add (local.get $o) (i32.mul (local.get $outRow) (i32.const 3))) (local.get $s3))
            (local.set $bits
              (i32x4.bitmask
                (v128.or
                  (v128.not (f32x4.gt (local.get $s0) (local.get $his)))
                  (f32x4.eq (local.get $s0) (v128.const f32x4 inf inf inf inf)))))
            (if (local.get $bits)
              (then (local.set $count (call $push (local.get $bits) (local.get $at) (local.get $list) (local.get $count)))))
            (local.set $at (i32.add (local.get $at) (i32.shl (local.get $ng) (i32.const 2))))
            (local.set $bits
              (i32x4.bitmask
                (v128.or
                  (v128.not (f32x4.gt (local.get $s1) (local.get $his)))
                  (f32x4.eq (local.get $s1) (v128.const f32x4 inf inf inf inf)))))
            (if (local.get $bits)
              (then (local.set $count (call $push (local.get $bits) (local.get $at) (local.get $list) (local.get $count)))))
            (local.set $at (i32.add (local.get $at) (i32.shl (local.get $ng) (i32.const 2))))
            (local.set $bits
              (i32x4.bitmask
                (v128.or
                  (v128.not (f32x4.gt (local.get $s2) (local.get $his)))
                  (f32x4.eq (local.get $s2) (v128.const f32x4 inf inf inf inf)))))
            (if (local.get $bits)
              (then (local.set $count (call $push (local.get $bits) (local.get $at) (local.get $list) (local.get $count)))))
            (local.set $at (i32.add (local.get $at) (i32.shl (local.get $ng) (i32.const 2))))
            (local.set $bits
              (i32x4.bitmask
                (v128.or
                  (v128.not (f32x4.gt (local.get $s3) (local.get $his)))
                  (f32x4.eq (local.get $s3) (v128.const f32x4 inf inf inf inf)))))
            (if (local.get $bits)
              (then (local.set $count (call $push (local.get $bits) (local.get $at) (local.get $list) (local.get $count)))))
            (local.set $h (i32.add (local.get $h) (i32.const 1)))
            (br $groups)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))
    (local.get $count))

  ;; dots(rows, d, ids, count, w, out): out[i] = Σₖ rows[ids[i]·d + k]·w[k] for i < count, in float32: the
  ;; rows listed by number (i32), w and out in bytes. Shapes the tree build only: no error bound is needed.
  (func (export "dots")
    (param $rows i32) (param $d i32) (param $ids i32) (param $count i32) (param $w i32) (param $out i32)
    (local $row i32) (local $vec i32) (local $lastAt i32) (local $mask v128) (local $i i32) (local $k i32)
    (local $p i32) (local $s v128)
    (local.set $row (i32.shl (local.get $d) (i32.const 2)))
    (local.set $vec (i32.and (local.get $row) (i32.const -16)))
    (local.set $lastAt (i32.sub (local.get $row) (i32.const 16)))
    (local.set $mask
      (i32x4.gt_s
        (v128.const i32x4 0 1 2 3)
        (i32x4.splat (i32.sub (i32.const 3) (i32.and (local.get $d) (i32.const 3))))))
    (local.set $i (i32.const 0))
    (block $rowsDone
      (loop $rowsLoop
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $p
          (i32.add (local.get $rows)
            (i32.mul (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2)))) (local.get $row))))
        (local.set $s (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (block $vecDone
          (loop $vecs
            (br_if $vecDone (i32.ge_u (local.get $k) (local.get $vec)))
            (local.set $s
              (f32x4.add (local.get $s)
                (f32x4.mul
                  (v128.load align=4 (i32.add (local.get $p) (local.get $k)))
                  (v128.load align=4 (i32.add (local.get $w) (local.get $k))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $vecs)))
        (if (i32.ne (local.get $vec) (local.get $row))
          (then
            (local.set $s
              (f32x4.add (local.get $s)
                (f32x4.mul
                  (v128.and (v128.load align=4 (i32.add (local.get $p) (local.get $lastAt))) (local.get $mask))
                  (v128.and (v128.load align=4 (i32.add (local.get $w) (local.get $lastAt))) (local.get $mask)))))))
        (f32.store
          (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 2 (local.get $s)))
            (f32.add (f32x4.extract_lane 1 (local.get $s)) (f32x4.extract_lane 3 (local.get $s)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rowsLoop)))))
