/** NumPy .npz archives (np.savez, stored; np.savez_compressed, deflated): one .npy per member. */
import { InputError } from '../errors';
import { describeNpy, parseNpy } from './npy';
import type { Tensor, TensorInfo } from './tensor';
import { listZip, readZipEntry, type ZipEntry } from './zip';

/** The key of a member is its name without the `.npy` suffix, as numpy's NpzFile does. */
function keyOf(e: ZipEntry): string {
  return e.name.endsWith('.npy') ? e.name.slice(0, -4) : e.name;
}

function members(bytes: Uint8Array, file: string): ZipEntry[] {
  const entries = listZip(bytes, file).filter((e) => !e.name.endsWith('/'));
  if (entries.length === 0) throw new InputError(file, 'the .npz archive holds no arrays', 'bad-header');
  return entries;
}

export function listNpz(bytes: Uint8Array, file: string): TensorInfo[] {
  return members(bytes, file).map((e) =>
    describeNpy(readZipEntry(bytes, e, file), `${file}:${keyOf(e)}`, keyOf(e)),
  );
}

/** One array by key; without a key the archive must hold exactly one. */
export function readNpz(bytes: Uint8Array, file: string, key?: string): Tensor {
  const all = members(bytes, file);
  let entry: ZipEntry | undefined;
  if (key === undefined) {
    if (all.length > 1) {
      throw new InputError(
        file,
        `holds ${all.length} arrays; name one as ${file}:KEY (keys: ${all.map(keyOf).join(', ')})`,
        'bad-parameter',
      );
    }
    entry = all[0];
  } else {
    entry = all.find((e) => keyOf(e) === key);
    if (!entry)
      throw new InputError(file, `no array '${key}' (keys: ${all.map(keyOf).join(', ')})`, 'not-found');
  }
  return parseNpy(readZipEntry(bytes, entry, file), `${file}:${keyOf(entry)}`);
}
