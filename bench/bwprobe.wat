;; Memory-bandwidth probe for bench/bandwidth.mjs (assembled with wabt's wat2wasm at bench time).
;; sum(p, n): reads n bytes (n a multiple of 64) with 128-bit SIMD loads, 4 independent accumulators,
;; like the int8 catalogue scan reads its table. copy(dst, src, n): memory.copy (a memmove).
(module
  (memory (export "mem") 16 65536)
  (func (export "sum") (param $p i32) (param $n i32) (result i32)
    (local $end i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $a (i32x4.add (local.get $a) (v128.load offset=0 (local.get $p))))
        (local.set $b (i32x4.add (local.get $b) (v128.load offset=16 (local.get $p))))
        (local.set $c (i32x4.add (local.get $c) (v128.load offset=32 (local.get $p))))
        (local.set $d (i32x4.add (local.get $d) (v128.load offset=48 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $l)))
    (local.set $a (i32x4.add (i32x4.add (local.get $a) (local.get $b)) (i32x4.add (local.get $c) (local.get $d))))
    (i32.add (i32.add (i32x4.extract_lane 0 (local.get $a)) (i32x4.extract_lane 1 (local.get $a)))
             (i32.add (i32x4.extract_lane 2 (local.get $a)) (i32x4.extract_lane 3 (local.get $a)))))
  (func (export "copy") (param $dst i32) (param $src i32) (param $n i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $n))))
