/** Paths and comparisons shared by the IO tests. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TensorData } from '../../../src/core/io/tensor';

export const shared = path.resolve(__dirname, '../../../../shared/fixtures');
export const local = path.resolve(__dirname, 'fixtures');
export const expected = JSON.parse(readFileSync(path.join(local, 'expected.json'), 'utf8')) as Record<
  string,
  number[] | number[][]
>;

export function bytesOf(file: string): Uint8Array {
  return readFileSync(file);
}

export function assertClose(actual: TensorData, want: number[], tol = 0): void {
  assert.equal(actual.length, want.length);
  for (let i = 0; i < want.length; i++) {
    const a = Number(actual[i]);
    assert.ok(Math.abs(a - want[i]) <= tol, `element ${i}: ${a} vs ${want[i]}`);
  }
}
