import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync } from 'fflate';
import { listZip, readZipEntry } from '../../../src/core/io/zip';
import { readNpz } from '../../../src/core/io/npz';
import { encodeNpy } from '../../../src/core/io/npy';
import { InputError } from '../../../src/core/errors';

/**
 * A one-member stored archive written the zip64 way: 0xFFFFFFFF in the central directory's size and
 * offset fields with the real values in a zip64 extra field, and a zip64 end record with its locator.
 */
function zip64Archive(name: string, data: Uint8Array): Uint8Array {
  const enc = new TextEncoder().encode(name);
  const local = new Uint8Array(30 + enc.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(26, enc.length, true);
  local.set(enc, 30);
  const extra = new Uint8Array(4 + 24);
  const ev = new DataView(extra.buffer);
  ev.setUint16(0, 1, true);
  ev.setUint16(2, 24, true);
  ev.setBigUint64(4, BigInt(data.length), true);
  ev.setBigUint64(12, BigInt(data.length), true);
  ev.setBigUint64(20, 0n, true);
  const central = new Uint8Array(46 + enc.length + extra.length);
  const cv = new DataView(central.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint32(20, 0xffffffff, true);
  cv.setUint32(24, 0xffffffff, true);
  cv.setUint16(28, enc.length, true);
  cv.setUint16(30, extra.length, true);
  cv.setUint32(42, 0xffffffff, true);
  central.set(enc, 46);
  central.set(extra, 46 + enc.length);
  const dirOffset = local.length + data.length;
  const end64 = new Uint8Array(56);
  const e6 = new DataView(end64.buffer);
  e6.setUint32(0, 0x06064b50, true);
  e6.setBigUint64(32, 1n, true);
  e6.setBigUint64(40, BigInt(central.length), true);
  e6.setBigUint64(48, BigInt(dirOffset), true);
  const locator = new Uint8Array(20);
  const lo = new DataView(locator.buffer);
  lo.setUint32(0, 0x07064b50, true);
  lo.setBigUint64(8, BigInt(dirOffset + central.length), true);
  const eocd = new Uint8Array(22);
  const eo = new DataView(eocd.buffer);
  eo.setUint32(0, 0x06054b50, true);
  eo.setUint16(10, 0xffff, true);
  eo.setUint32(12, 0xffffffff, true);
  eo.setUint32(16, 0xffffffff, true);
  const parts = [local, data, central, end64, locator, eocd];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

test('zip64 central directory and end records are read', () => {
  const npy = encodeNpy({ dtype: 'int32', shape: [3], data: Int32Array.of(7, 8, 9) });
  const zip = zip64Archive('x.npy', npy);
  const [entry] = listZip(zip, 'z.npz');
  assert.deepEqual(
    [entry.name, entry.size, entry.compressedSize, entry.headerOffset],
    ['x.npy', npy.length, npy.length, 0],
  );
  assert.deepEqual([...readNpz(zip, 'z.npz').data], [7, 8, 9]);
});

test('deflated members inflate to their stated size; a lying size is refused', () => {
  const text = new TextEncoder().encode('abc'.repeat(1000));
  const zip = zipSync({ 't.txt': text }, { level: 9 });
  const [entry] = listZip(zip, 'z.zip');
  assert.equal(entry.method, 8);
  assert.deepEqual(readZipEntry(zip, entry, 'z.zip'), text);
  assert.throws(
    () => readZipEntry(zip, { ...entry, size: entry.size - 1 }, 'z.zip'),
    (e: unknown) => e instanceof InputError,
  );
  assert.throws(
    () => readZipEntry(zip, { ...entry, method: 12 }, 'z.zip'),
    (e: unknown) => e instanceof InputError && e.code === 'unsupported-format',
  );
});
