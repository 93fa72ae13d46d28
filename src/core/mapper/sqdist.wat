;; Squared euclidean distances between two tiles of rows, in 128-bit SIMD: float32 rows (tile, tileGram,
;; tileColumns; sqdist.ts states their error bounds) and rows quantised to 16-bit integers (tileInt; the
;; quantising in ranges and quantise; quantised.ts states the bound); and the tree build's passes over
;; the rows (dots, sums, squares). Compiled by `npm run build:wasm` into sqdist-wasm.ts.
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

  ;; tileInt(a, na, b, nb, d, out, hi, list, an, bn): tileGram's values (same layout, same list) over rows
  ;; of d 16-bit integers (d a multiple of 8: callers pad rows with zeros), from their squared norms as
  ;; float32. i32x4.dot_i16x8_s takes eight coordinates per operation where the float kernels take four,
  ;; and its products and sums are exact: a lane adds d/4 products, so callers keep |coordinates| ≤
  ;; √((2³¹ − 1)·4/d), and the lanes turn float32 only for their sums (quantised.ts states the bound).
  (func (export "tileInt")
    (param $a i32) (param $na i32) (param $b i32) (param $nb i32) (param $d i32) (param $out i32)
    (param $hi f32) (param $list i32) (param $an i32) (param $bn i32) (result i32)
    (local $count i32) (local $his v128) (local $v0 v128) (local $v1 v128) (local $u v128) (local $bits i32)
    (local $row i32) (local $i i32) (local $j i32)
    (local $k i32) (local $o i32) (local $t v128) (local $norms v128)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $pb0 i32) (local $pb1 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $b0 v128) (local $b1 v128)
    (local $s00 v128) (local $s10 v128) (local $s20 v128) (local $s30 v128)
    (local $s01 v128) (local $s11 v128) (local $s21 v128) (local $s31 v128)
    (local.set $row (i32.shl (local.get $d) (i32.const 1)))
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
                (br_if $vecDone (i32.ge_u (local.get $k) (local.get $row)))
                (local.set $a0 (v128.load align=2 (i32.add (local.get $pa0) (local.get $k))))
                (local.set $a1 (v128.load align=2 (i32.add (local.get $pa1) (local.get $k))))
                (local.set $a2 (v128.load align=2 (i32.add (local.get $pa2) (local.get $k))))
                (local.set $a3 (v128.load align=2 (i32.add (local.get $pa3) (local.get $k))))
                (local.set $b0 (v128.load align=2 (i32.add (local.get $pb0) (local.get $k))))
                (local.set $b1 (v128.load align=2 (i32.add (local.get $pb1) (local.get $k))))
                (local.set $s00 (i32x4.add (local.get $s00) (i32x4.dot_i16x8_s (local.get $a0) (local.get $b0))))
                (local.set $s10 (i32x4.add (local.get $s10) (i32x4.dot_i16x8_s (local.get $a1) (local.get $b0))))
                (local.set $s20 (i32x4.add (local.get $s20) (i32x4.dot_i16x8_s (local.get $a2) (local.get $b0))))
                (local.set $s30 (i32x4.add (local.get $s30) (i32x4.dot_i16x8_s (local.get $a3) (local.get $b0))))
                (local.set $s01 (i32x4.add (local.get $s01) (i32x4.dot_i16x8_s (local.get $a0) (local.get $b1))))
                (local.set $s11 (i32x4.add (local.get $s11) (i32x4.dot_i16x8_s (local.get $a1) (local.get $b1))))
                (local.set $s21 (i32x4.add (local.get $s21) (i32x4.dot_i16x8_s (local.get $a2) (local.get $b1))))
                (local.set $s31 (i32x4.add (local.get $s31) (i32x4.dot_i16x8_s (local.get $a3) (local.get $b1))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $vecs)))
            ;; each lane holds an exact integer sum; to float32 for the lane sums
            (local.set $s00 (f32x4.convert_i32x4_s (local.get $s00)))
            (local.set $s10 (f32x4.convert_i32x4_s (local.get $s10)))
            (local.set $s20 (f32x4.convert_i32x4_s (local.get $s20)))
            (local.set $s30 (f32x4.convert_i32x4_s (local.get $s30)))
            (local.set $s01 (f32x4.convert_i32x4_s (local.get $s01)))
            (local.set $s11 (f32x4.convert_i32x4_s (local.get $s11)))
            (local.set $s21 (f32x4.convert_i32x4_s (local.get $s21)))
            (local.set $s31 (f32x4.convert_i32x4_s (local.get $s31)))
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
        (br $rowsLoop))))

  ;; ranges(rows, d, ids, m, lo, hi): lo[k] = min(lo[k], coordinate k of each row listed), hi[k] likewise
  ;; the max, over the m rows numbered ids[0…m) (i32) of the rows of d float32 at rows (callers start lo
  ;; at +∞ and hi at −∞). A NaN makes its coordinate's range NaN (f32x4.min and max propagate it), which
  ;; quantised.ts takes as "do not quantise".
  (func (export "ranges")
    (param $rows i32) (param $d i32) (param $ids i32) (param $m i32) (param $lo i32) (param $hi i32)
    (local $row i32) (local $vec i32) (local $p i32) (local $k i32) (local $at i32) (local $v v128) (local $x f32)
    (local.set $row (i32.shl (local.get $d) (i32.const 2)))
    (local.set $vec (i32.and (local.get $row) (i32.const -16)))
    (local.set $p (i32.const 0))
    (block $rowsDone
      (loop $rowsLoop
        (br_if $rowsDone (i32.ge_u (local.get $p) (local.get $m)))
        (local.set $at
          (i32.add (local.get $rows)
            (i32.mul (i32.load (i32.add (local.get $ids) (i32.shl (local.get $p) (i32.const 2)))) (local.get $row))))
        (local.set $k (i32.const 0))
        (block $vecDone
          (loop $vecs
            (br_if $vecDone (i32.ge_u (local.get $k) (local.get $vec)))
            (local.set $v (v128.load align=4 (i32.add (local.get $at) (local.get $k))))
            (v128.store align=4 (i32.add (local.get $lo) (local.get $k))
              (f32x4.min (v128.load align=4 (i32.add (local.get $lo) (local.get $k))) (local.get $v)))
            (v128.store align=4 (i32.add (local.get $hi) (local.get $k))
              (f32x4.max (v128.load align=4 (i32.add (local.get $hi) (local.get $k))) (local.get $v)))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $vecs)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $k) (local.get $row)))
            (local.set $x (f32.load (i32.add (local.get $at) (local.get $k))))
            (f32.store (i32.add (local.get $lo) (local.get $k))
              (f32.min (f32.load (i32.add (local.get $lo) (local.get $k))) (local.get $x)))
            (f32.store (i32.add (local.get $hi) (local.get $k))
              (f32.max (f32.load (i32.add (local.get $hi) (local.get $k))) (local.get $x)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $tail)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $rowsLoop))))

  ;; quantise(from, to, m, d, dp, centre, step, inverse, limit, norms, residuals): turns m rows of d float32
  ;; at from (d apart) into rows of dp 16-bit integers at to (dp apart, zero-padded). Coordinate x becomes
  ;; q = nearest((x − c)·inverse) clamped to ±limit, y = x − c and r = y − q·step all in float32; row p's
  ;; Σq² (exact in 64 bits, then float32) goes to norms[p] and its Σr² (float32 lane sums) to residuals[p].
  (func (export "quantise")
    (param $rows i32) (param $out i32) (param $m i32) (param $d i32) (param $dp i32) (param $centre i32)
    (param $step f32) (param $inverse f32) (param $limit i32) (param $norms i32) (param $residuals i32)
    (local $p i32) (local $k i32) (local $from i32) (local $to i32) (local $whole i32)
    (local $steps v128) (local $inverses v128) (local $highs v128) (local $lows v128)
    (local $y0 v128) (local $y1 v128) (local $q0 v128) (local $q1 v128) (local $t v128)
    (local $r2 v128) (local $n2 v128) (local $y f32) (local $q i32) (local $r f32) (local $r2s f32) (local $n2s i64)
    (local.set $steps (f32x4.splat (local.get $step)))
    (local.set $inverses (f32x4.splat (local.get $inverse)))
    (local.set $highs (i32x4.splat (local.get $limit)))
    (local.set $lows (i32x4.splat (i32.sub (i32.const 0) (local.get $limit))))
    (local.set $whole (i32.and (local.get $d) (i32.const -8)))
    (local.set $p (i32.const 0))
    (block $rowsDone
      (loop $rowsLoop
        (br_if $rowsDone (i32.ge_u (local.get $p) (local.get $m)))
        (local.set $from (i32.add (local.get $rows) (i32.shl (i32.mul (local.get $p) (local.get $d)) (i32.const 2))))
        (local.set $to (i32.add (local.get $out) (i32.shl (i32.mul (local.get $p) (local.get $dp)) (i32.const 1))))
        (local.set $r2 (v128.const i32x4 0 0 0 0))
        (local.set $n2 (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        ;; eight coordinates at a time: two float vectors in, one vector of 16-bit integers out
        (block $vecDone
          (loop $vecs
            (br_if $vecDone (i32.ge_u (local.get $k) (local.get $whole)))
            (local.set $y0
              (f32x4.sub
                (v128.load align=4 (i32.add (local.get $from) (i32.shl (local.get $k) (i32.const 2))))
                (v128.load align=4 (i32.add (local.get $centre) (i32.shl (local.get $k) (i32.const 2))))))
            (local.set $y1
              (f32x4.sub
                (v128.load offset=16 align=4 (i32.add (local.get $from) (i32.shl (local.get $k) (i32.const 2))))
                (v128.load offset=16 align=4 (i32.add (local.get $centre) (i32.shl (local.get $k) (i32.const 2))))))
            (local.set $q0
              (i32x4.min_s (local.get $highs) (i32x4.max_s (local.get $lows)
                (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (local.get $y0) (local.get $inverses)))))))
            (local.set $q1
              (i32x4.min_s (local.get $highs) (i32x4.max_s (local.get $lows)
                (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (local.get $y1) (local.get $inverses)))))))
            (v128.store align=2 (i32.add (local.get $to) (i32.shl (local.get $k) (i32.const 1)))
              (i16x8.narrow_i32x4_s (local.get $q0) (local.get $q1)))
            (local.set $t
              (f32x4.sub (local.get $y0) (f32x4.mul (f32x4.convert_i32x4_s (local.get $q0)) (local.get $steps))))
            (local.set $r2 (f32x4.add (local.get $r2) (f32x4.mul (local.get $t) (local.get $t))))
            (local.set $t
              (f32x4.sub (local.get $y1) (f32x4.mul (f32x4.convert_i32x4_s (local.get $q1)) (local.get $steps))))
            (local.set $r2 (f32x4.add (local.get $r2) (f32x4.mul (local.get $t) (local.get $t))))
            (local.set $n2
              (i32x4.add (local.get $n2)
                (i32x4.add (i32x4.mul (local.get $q0) (local.get $q0)) (i32x4.mul (local.get $q1) (local.get $q1)))))
            (local.set $k (i32.add (local.get $k) (i32.const 8)))
            (br $vecs)))
        ;; the last d mod 8 coordinates one by one, then zeros up to dp
        (local.set $r2s (f32.const 0))
        (local.set $n2s (i64.const 0))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $k) (local.get $d)))
            (local.set $y
              (f32.sub
                (f32.load (i32.add (local.get $from) (i32.shl (local.get $k) (i32.const 2))))
                (f32.load (i32.add (local.get $centre) (i32.shl (local.get $k) (i32.const 2))))))
            (local.set $q (i32.trunc_sat_f32_s (f32.nearest (f32.mul (local.get $y) (local.get $inverse)))))
            (local.set $q
              (select (local.get $limit) (local.get $q) (i32.gt_s (local.get $q) (local.get $limit))))
            (local.set $q
              (select (i32.sub (i32.const 0) (local.get $limit)) (local.get $q)
                (i32.lt_s (local.get $q) (i32.sub (i32.const 0) (local.get $limit)))))
            (i32.store16 (i32.add (local.get $to) (i32.shl (local.get $k) (i32.const 1))) (local.get $q))
            (local.set $r (f32.sub (local.get $y) (f32.mul (f32.convert_i32_s (local.get $q)) (local.get $step))))
            (local.set $r2s (f32.add (local.get $r2s) (f32.mul (local.get $r) (local.get $r))))
            (local.set $n2s
              (i64.add (local.get $n2s) (i64.extend_i32_s (i32.mul (local.get $q) (local.get $q)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $tail)))
        (block $padDone
          (loop $pad
            (br_if $padDone (i32.ge_u (local.get $k) (local.get $dp)))
            (i32.store16 (i32.add (local.get $to) (i32.shl (local.get $k) (i32.const 1))) (i32.const 0))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $pad)))
        (f32.store (i32.add (local.get $norms) (i32.shl (local.get $p) (i32.const 2)))
          (f32.convert_i64_s
            (i64.add (local.get $n2s)
              (i64.add
                (i64.add
                  (i64.extend_i32_s (i32x4.extract_lane 0 (local.get $n2)))
                  (i64.extend_i32_s (i32x4.extract_lane 1 (local.get $n2))))
                (i64.add
                  (i64.extend_i32_s (i32x4.extract_lane 2 (local.get $n2)))
                  (i64.extend_i32_s (i32x4.extract_lane 3 (local.get $n2))))))))
        (f32.store (i32.add (local.get $residuals) (i32.shl (local.get $p) (i32.const 2)))
          (f32.add (local.get $r2s)
            (f32.add
              (f32.add (f32x4.extract_lane 0 (local.get $r2)) (f32x4.extract_lane 2 (local.get $r2)))
              (f32.add (f32x4.extract_lane 1 (local.get $r2)) (f32x4.extract_lane 3 (local.get $r2))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $rowsLoop))))

  ;; sums(rows, m, d, out): out[k] = Σ over m rows of d float32 (d apart) of coordinate k, in float64 (d
  ;; float64 at out; two coordinates per operation, the last one alone when d is odd).
  (func (export "sums") (param $rows i32) (param $m i32) (param $d i32) (param $out i32)
    (local $p i32) (local $k i32) (local $at i32) (local $pairs i32) (local $o i32)
    (local.set $pairs (i32.and (local.get $d) (i32.const -2)))
    (local.set $k (i32.const 0))
    (block $zeroDone
      (loop $zero
        (br_if $zeroDone (i32.ge_u (local.get $k) (local.get $d)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))) (f64.const 0))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $zero)))
    (local.set $p (i32.const 0))
    (block $rowsDone
      (loop $rowsLoop
        (br_if $rowsDone (i32.ge_u (local.get $p) (local.get $m)))
        (local.set $at (i32.add (local.get $rows) (i32.shl (i32.mul (local.get $p) (local.get $d)) (i32.const 2))))
        (local.set $k (i32.const 0))
        (block $pairsDone
          (loop $pairsLoop
            (br_if $pairsDone (i32.ge_u (local.get $k) (local.get $pairs)))
            (local.set $o (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))))
            (v128.store align=8 (local.get $o)
              (f64x2.add (v128.load align=8 (local.get $o))
                (f64x2.promote_low_f32x4
                  (v128.load64_zero align=4 (i32.add (local.get $at) (i32.shl (local.get $k) (i32.const 2)))))))
            (local.set $k (i32.add (local.get $k) (i32.const 2)))
            (br $pairsLoop)))
        (if (i32.ne (local.get $pairs) (local.get $d))
          (then
            (local.set $o (i32.add (local.get $out) (i32.shl (local.get $pairs) (i32.const 3))))
            (f64.store (local.get $o)
              (f64.add (f64.load (local.get $o))
                (f64.promote_f32 (f32.load (i32.add (local.get $at) (i32.shl (local.get $pairs) (i32.const 2)))))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $rowsLoop))))

  ;; squares(rows, m, d, centre, out): out[p] = ‖row p − centre‖² in float64 for m rows of d float32 (d
  ;; apart) and a centre of d float64 — the coordinates in two float64 lanes, summed at the end.
  (func (export "squares") (param $rows i32) (param $m i32) (param $d i32) (param $centre i32) (param $out i32)
    (local $p i32) (local $k i32) (local $at i32) (local $pairs i32) (local $s v128) (local $t v128) (local $r f64)
    (local.set $pairs (i32.and (local.get $d) (i32.const -2)))
    (local.set $p (i32.const 0))
    (block $rowsDone
      (loop $rowsLoop
        (br_if $rowsDone (i32.ge_u (local.get $p) (local.get $m)))
        (local.set $at (i32.add (local.get $rows) (i32.shl (i32.mul (local.get $p) (local.get $d)) (i32.const 2))))
        (local.set $s (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (block $pairsDone
          (loop $pairsLoop
            (br_if $pairsDone (i32.ge_u (local.get $k) (local.get $pairs)))
            (local.set $t
              (f64x2.sub
                (f64x2.promote_low_f32x4
                  (v128.load64_zero align=4 (i32.add (local.get $at) (i32.shl (local.get $k) (i32.const 2)))))
                (v128.load align=8 (i32.add (local.get $centre) (i32.shl (local.get $k) (i32.const 3))))))
            (local.set $s (f64x2.add (local.get $s) (f64x2.mul (local.get $t) (local.get $t))))
            (local.set $k (i32.add (local.get $k) (i32.const 2)))
            (br $pairsLoop)))
        (local.set $r (f64.add (f64x2.extract_lane 0 (local.get $s)) (f64x2.extract_lane 1 (local.get $s))))
        (if (i32.ne (local.get $pairs) (local.get $d))
          (then
            (local.set $r
              (f64.add (local.get $r)
                (f64.mul
                  (f64.sub
                    (f64.promote_f32 (f32.load (i32.add (local.get $at) (i32.shl (local.get $pairs) (i32.const 2)))))
                    (f64.load (i32.add (local.get $centre) (i32.shl (local.get $pairs) (i32.const 3)))))
                  (f64.sub
                    (f64.promote_f32 (f32.load (i32.add (local.get $at) (i32.shl (local.get $pairs) (i32.const 2)))))
                    (f64.load (i32.add (local.get $centre) (i32.shl (local.get $pairs) (i32.const 3))))))))))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 3))) (local.get $r))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $rowsLoop))))
)
