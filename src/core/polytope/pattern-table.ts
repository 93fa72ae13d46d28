/**
 * A hash set of bit-packed activation patterns with Zobrist hashing: the hash of a pattern is the XOR of
 * one random key per set bit, so the hash of the pattern with bit k flipped is one XOR away. That makes
 * Hamming-1 neighbour lookups O(1) each and a whole Hamming-1 graph O(N·h).
 */
import { mulberry32 } from '../random';

export class PatternTable {
  readonly words: number;
  private readonly key1: Int32Array;
  private readonly key2: Int32Array;
  private slots: Int32Array; // −1 empty, else pattern id
  private mask: number;
  private h1: Int32Array;
  private h2: Int32Array;
  /** count·words distinct patterns in insertion order (may have spare capacity at the end). */
  patterns: Uint32Array;
  count = 0;

  constructor(
    readonly hidden: number,
    expected = 64,
  ) {
    this.words = Math.max(1, Math.ceil(hidden / 32));
    const rng = mulberry32(0x5eed);
    this.key1 = Int32Array.from({ length: hidden }, () => (rng() * 4294967296) | 0);
    this.key2 = Int32Array.from({ length: hidden }, () => (rng() * 4294967296) | 0);
    let size = 16;
    while (size < 2 * expected) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    this.h1 = new Int32Array(expected);
    this.h2 = new Int32Array(expected);
    this.patterns = new Uint32Array(expected * this.words);
  }

  /** Hash pair of the pattern at src[off .. off + words). */
  private hashOf(src: Uint32Array, off: number): [number, number] {
    let a = 0;
    let b = 0;
    for (let w = 0; w < this.words; w++) {
      let bits = src[off + w];
      while (bits !== 0) {
        const low = bits & -bits;
        const k = w * 32 + (31 - Math.clz32(low));
        a ^= this.key1[k];
        b ^= this.key2[k];
        bits ^= low;
      }
    }
    return [a, b];
  }

  /** Id of the stored pattern equal to src[off..] with `flip` toggled (−1: none), given its hashes. */
  private lookup(a: number, b: number, src: Uint32Array, off: number, flip: number): number {
    const fw = flip >>> 5;
    const fb = flip < 0 ? 0 : 1 << (flip & 31);
    for (let s = (a ^ Math.imul(b, 0x9e3779b1)) & this.mask; ; s = (s + 1) & this.mask) {
      const id = this.slots[s];
      if (id < 0) return -1;
      if (this.h1[id] !== a || this.h2[id] !== b) continue;
      let same = true;
      const p = id * this.words;
      for (let w = 0; w < this.words && same; w++) {
        const want = w === fw && flip >= 0 ? (src[off + w] ^ fb) >>> 0 : src[off + w]; // compare as uint32
        same = this.patterns[p + w] === want;
      }
      if (same) return id;
    }
  }

  /** Id of the pattern at src[off..], or −1. */
  find(src: Uint32Array, off: number): number {
    const [a, b] = this.hashOf(src, off);
    return this.lookup(a, b, src, off, -1);
  }

  /** Id of the stored pattern that differs from pattern `id` exactly in bit k, or −1. */
  neighbour(id: number, k: number): number {
    return this.lookup(
      this.h1[id] ^ this.key1[k],
      this.h2[id] ^ this.key2[k],
      this.patterns,
      id * this.words,
      k,
    );
  }

  /** Id of the pattern at src[off..], inserting it when new. */
  add(src: Uint32Array, off: number): number {
    const [a, b] = this.hashOf(src, off);
    const found = this.lookup(a, b, src, off, -1);
    if (found >= 0) return found;
    if (2 * (this.count + 1) > this.slots.length) this.rehash();
    const id = this.count++;
    if (id >= this.h1.length) {
      const cap = this.h1.length * 2;
      const g1 = new Int32Array(cap);
      g1.set(this.h1);
      this.h1 = g1;
      const g2 = new Int32Array(cap);
      g2.set(this.h2);
      this.h2 = g2;
      const gp = new Uint32Array(cap * this.words);
      gp.set(this.patterns);
      this.patterns = gp;
    }
    this.h1[id] = a;
    this.h2[id] = b;
    for (let w = 0; w < this.words; w++) this.patterns[id * this.words + w] = src[off + w];
    this.place(id);
    return id;
  }

  private place(id: number): void {
    let s = (this.h1[id] ^ Math.imul(this.h2[id], 0x9e3779b1)) & this.mask;
    while (this.slots[s] >= 0) s = (s + 1) & this.mask;
    this.slots[s] = id;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    this.mask = this.slots.length - 1;
    for (let id = 0; id < this.count; id++) this.place(id);
  }
}

/** Bit-packs pre-activations (n × h) into patterns (n × words): bit j = 1 iff z_j > 0. */
export function packPatterns(pre: Float64Array, n: number, h: number): Uint32Array {
  const words = Math.max(1, Math.ceil(h / 32));
  const out = new Uint32Array(n * words);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < h; j++) if (pre[i * h + j] > 0) out[i * words + (j >>> 5)] |= 1 << (j & 31);
  }
  return out;
}
