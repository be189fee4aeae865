;; Batched dot products with WebAssembly SIMD, for Matcher: out[r] = <tpl[r], q>.
;; Templates are int8 (each row scaled so its largest |component| is 127), the probe is int16
;; holding int8-range values; products are summed exactly in int32, and Matcher rescales.
;; Why int8: a 10k × 1280-d float32 gallery is 51 MB, and one pass over it is bound by memory
;; bandwidth (~4-5 ms here); int8 reads 12.8 MB and costs < 1e-3 in cosine.
;; Rebuild (Debian package `wabt`):  wat2wasm src/ml/simd-dot.wat -o /dev/stdout | base64 -w0
;; and paste the result into simd-dot.ts.
(module
  (memory (export "memory") 1)
  ;; tpl, q, out: byte offsets, 16-byte aligned; dims: a multiple of 16.
  (func (export "dots") (param $tpl i32) (param $q i32) (param $rows i32) (param $dims i32) (param $out i32)
    (local $r i32) (local $i i32) (local $p i32) (local $v v128) (local $acc v128)
    (local.set $p (local.get $tpl))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (block $end
          (loop $inner
            (br_if $end (i32.ge_u (local.get $i) (local.get $dims)))
            (local.set $v (v128.load (i32.add (local.get $p) (local.get $i))))
            (local.set $acc
              (i32x4.add (local.get $acc)
                (i32x4.dot_i16x8_s
                  (i16x8.extend_low_i8x16_s (local.get $v))
                  (v128.load (i32.add (local.get $q) (i32.shl (local.get $i) (i32.const 1)))))))
            (local.set $acc
              (i32x4.add (local.get $acc)
                (i32x4.dot_i16x8_s
                  (i16x8.extend_high_i8x16_s (local.get $v))
                  (v128.load offset=16 (i32.add (local.get $q) (i32.shl (local.get $i) (i32.const 1)))))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $inner)))
        (i32.store
          (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (local.set $p (i32.add (local.get $p) (local.get $dims)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))
)
