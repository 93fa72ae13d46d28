/**
 * A tiny runtime schema checker for the messages that cross the extension ↔ webview boundary. Each
 * validator returns the value typed, or throws a SchemaError naming the path that failed, so neither side
 * ever acts on a message it has not checked. DOM-free: the extension host and the webview both use it.
 */

export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  constructor(
    readonly at: string,
    readonly expected: string,
  ) {
    super(`${at || 'message'}: expected ${expected}`);
  }
}

export type Validator<T> = (v: unknown, at?: string) => T;
export type Infer<V> = V extends Validator<infer T> ? T : never;

/** An optional field: may be absent or undefined. */
export type OptionalValidator<T> = Validator<T | undefined> & { readonly optional: true };

type Shape = Record<string, Validator<unknown>>;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
export type InferShape<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & {
  [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined>;
};

export const num: Validator<number> = (v, at = '') => {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new SchemaError(at, 'a number');
  return v;
};

export const int: Validator<number> = (v, at = '') => {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new SchemaError(at, 'an integer');
  return v;
};

export const str: Validator<string> = (v, at = '') => {
  if (typeof v !== 'string') throw new SchemaError(at, 'a string');
  return v;
};

export const bool: Validator<boolean> = (v, at = '') => {
  if (typeof v !== 'boolean') throw new SchemaError(at, 'a boolean');
  return v;
};

/** Any JSON-able value, passed through unchecked (only for opaque state the receiver re-validates). */
export const unknownValue: Validator<unknown> = (v) => v;

export function literal<const L extends string | number | boolean>(...allowed: L[]): Validator<L> {
  return (v, at = '') => {
    if (!allowed.includes(v as L))
      throw new SchemaError(at, allowed.map((a) => JSON.stringify(a)).join(' | '));
    return v as L;
  };
}

export function nullable<T>(inner: Validator<T>): Validator<T | null> {
  return (v, at = '') => (v === null ? null : inner(v, at));
}

export function optional<T>(inner: Validator<T>): OptionalValidator<T> {
  const f = ((v: unknown, at = '') => (v === undefined ? undefined : inner(v, at))) as OptionalValidator<T>;
  return Object.assign(f, { optional: true as const });
}

/** An array (or typed array, which structured clone may deliver) of items, at most `max` long. */
export function array<T>(item: Validator<T>, max = Number.MAX_SAFE_INTEGER): Validator<T[]> {
  return (v, at = '') => {
    const list =
      ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<T>) : v;
    if (!Array.isArray(list)) throw new SchemaError(at, 'an array');
    if (list.length > max) throw new SchemaError(at, `at most ${max} items`);
    for (let i = 0; i < list.length; i++) item(list[i], `${at}[${i}]`);
    return list as T[];
  };
}

/** A list of finite numbers (plain or typed array), returned as a plain array. */
export function numbers(max = Number.MAX_SAFE_INTEGER): Validator<number[]> {
  return (v, at = '') => {
    const list: unknown =
      ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as Float64Array) : v;
    if (!Array.isArray(list)) throw new SchemaError(at, 'a list of numbers');
    if (list.length > max) throw new SchemaError(at, `at most ${max} numbers`);
    for (let i = 0; i < list.length; i++) {
      if (typeof list[i] !== 'number' || !Number.isFinite(list[i]))
        throw new SchemaError(`${at}[${i}]`, 'a number');
    }
    return list as number[];
  };
}

export function record<T>(value: Validator<T>): Validator<Record<string, T>> {
  return (v, at = '') => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SchemaError(at, 'an object');
    for (const [k, x] of Object.entries(v)) value(x, `${at}.${k}`);
    return v as Record<string, T>;
  };
}

/** An object with the given fields; unknown extra fields are allowed and kept. */
export function object<S extends Shape>(shape: S): Validator<InferShape<S>> {
  return (v, at = '') => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SchemaError(at, 'an object');
    const o = v as Record<string, unknown>;
    for (const [k, check] of Object.entries(shape)) check(o[k], at ? `${at}.${k}` : k);
    return v as InferShape<S>;
  };
}

/** A union discriminated by its `type` field: one object schema per type. */
export function tagged<M extends Record<string, Validator<object>>>(
  variants: M,
): Validator<{ [K in keyof M]: Infer<M[K]> & { type: K } }[keyof M]> {
  return (v, at = '') => {
    const type = (v as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !Object.hasOwn(variants, type)) {
      throw new SchemaError(at ? `${at}.type` : 'type', Object.keys(variants).join(' | '));
    }
    return variants[type](v, at) as { [K in keyof M]: Infer<M[K]> & { type: K } }[keyof M];
  };
}
