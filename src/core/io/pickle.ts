/**
 * A restricted Python unpickler (protocols 0–5). It never executes anything: every global the stream names
 * goes through `findGlobal`, which returns a plain TypeScript constructor for the few allowed names and
 * refuses the rest; persistent ids go to `persistentLoad`. Objects come back as plain values: lists and
 * tuples as arrays, dicts as Maps, ints as numbers (bigint beyond 2^53), bytes as Uint8Array.
 */
import { InputError } from '../errors';

/** What an allowed global turns into: a function of the arguments REDUCE/NEWOBJ pass it. */
export interface PickleCallable {
  readonly qualifiedName: string;
  call(args: unknown[]): unknown;
}

export interface UnpickleOptions {
  file: string;
  findGlobal(module: string, name: string): PickleCallable;
  persistentLoad(pid: unknown): unknown;
}

export function isCallable(x: unknown): x is PickleCallable {
  return typeof x === 'object' && x !== null && 'qualifiedName' in x && 'call' in x;
}

export function unpickle(bytes: Uint8Array, opts: UnpickleOptions): unknown {
  const { file } = opts;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (why: string) => new InputError(file, `corrupt pickle: ${why}`, 'bad-header');
  let pos = 0;
  const need = (n: number): number => {
    if (!(n >= 0) || pos + n > bytes.length) throw new InputError(file, 'truncated pickle', 'truncated');
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = () => bytes[need(1)];
  const u16 = () => v.getUint16(need(2), true);
  const i32 = () => v.getInt32(need(4), true);
  const u32 = () => v.getUint32(need(4), true);
  const u64 = (): number => {
    const x = v.getBigUint64(need(8), true);
    if (x > BigInt(bytes.length)) throw new InputError(file, 'truncated pickle', 'truncated');
    return Number(x);
  };
  const raw = (n: number) => bytes.subarray(need(n), pos);
  const utf8 = (n: number) => new TextDecoder().decode(raw(n));
  const latin1 = (n: number) => new TextDecoder('latin1').decode(raw(n));
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new InputError(file, 'truncated pickle', 'truncated');
    return latin1(end - pos + 1).slice(0, -1);
  };
  /** Little-endian two's-complement integer of n bytes (LONG1/LONG4). */
  const long = (n: number): number | bigint => {
    const b = raw(n);
    let x = 0n;
    for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
    if (n > 0 && b[n - 1] & 0x80) x -= 1n << BigInt(8 * n);
    return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
  };

  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) {
      throw corrupt('stack underflow');
    }
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) throw corrupt('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) throw corrupt('no mark');
    return stack.splice(m);
  };
  const get = (i: number) => {
    if (!memo.has(i)) throw corrupt(`memo ${i} missing`);
    return memo.get(i);
  };
  const call = (fn: unknown, args: unknown): unknown => {
    if (!isCallable(fn)) throw corrupt('call of a non-callable');
    if (!Array.isArray(args)) throw corrupt('arguments are not a tuple');
    return fn.call(args);
  };
  const asList = (x: unknown): unknown[] => {
    if (!Array.isArray(x)) throw corrupt('append to a non-list');
    return x;
  };
  const asDict = (x: unknown): Map<unknown, unknown> => {
    if (!(x instanceof Map)) throw corrupt('setitem on a non-dict');
    return x;
  };
  const setItems = (d: Map<unknown, unknown>, kv: unknown[]) => {
    if (kv.length % 2) throw corrupt('odd number of dict items');
    for (let i = 0; i < kv.length; i += 2) d.set(kv[i], kv[i + 1]);
  };
  const global = (module: string, name: string) => opts.findGlobal(module, name);

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw new InputError(file, 'pickle protocol newer than 5', 'unsupported-format');
        break;
      case 0x95: // FRAME
        need(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length) throw corrupt('stack not empty at STOP');
        return stack[0];
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP
        if (marks.length && stack.length === marks[marks.length - 1]) marks.pop();
        else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(long(u8()));
        break;
      case 0x8b: // LONG4
        stack.push(long(i32()));
        break;
      case 0x49: {
        // INT (text; "01"/"00" are True/False)
        const s = line();
        if (s === '01' || s === '00') stack.push(s === '01');
        else if (/^[-+]?\d+$/.test(s)) stack.push(Number(s));
        else throw corrupt(`bad INT '${s.slice(0, 20)}'`);
        break;
      }
      case 0x4c: {
        // LONG (text)
        const s = line().replace(/L$/, '');
        if (!/^[-+]?\d+$/.test(s)) throw corrupt(`bad LONG '${s.slice(0, 20)}'`);
        const b = BigInt(s);
        stack.push(
          b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b,
        );
        break;
      }
      case 0x47: // BINFLOAT
        stack.push(v.getFloat64(need(8), false));
        break;
      case 0x46: // FLOAT (text)
        stack.push(Number(line()));
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(u64()));
        break;
      case 0x56: // UNICODE (raw-unicode-escape line: latin1, with \uXXXX / \UXXXXXXXX above U+00FF)
        stack.push(
          line().replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, u: string, w: string) => {
            const cp = parseInt(u ?? w, 16);
            return cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
          }),
        );
        break;
      case 0x54: // BINSTRING
        stack.push(latin1(i32()));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1(u8()));
        break;
      case 0x53: {
        // STRING (quoted repr line)
        const s = line();
        if (s.length < 2 || (s[0] !== "'" && s[0] !== '"') || s[s.length - 1] !== s[0])
          throw corrupt('bad STRING');
        stack.push(s.slice(1, -1));
        break;
      }
      case 0x42: // BINBYTES
        stack.push(raw(u32()));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(raw(u8()));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(raw(u64()));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const x = pop();
        asList(top()).push(x);
        break;
      }
      case 0x65: {
        // APPENDS
        const xs = popMark();
        const list = asList(top());
        for (const x of xs) list.push(x);
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const d = new Map();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const val = pop();
        const key = pop();
        asDict(top()).set(key, val);
        break;
      }
      case 0x75: {
        // SETITEMS
        const kv = popMark();
        setItems(asDict(top()), kv);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x90: {
        // ADDITEMS
        const xs = popMark();
        const s = top();
        if (!(s instanceof Set)) throw corrupt('additems on a non-set');
        for (const x of xs) s.add(x);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new Set(popMark()));
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          throw corrupt('STACK_GLOBAL needs two strings');
        stack.push(global(module, name));
        break;
      }
      case 0x69: {
        // INST "module\nname\n" with args after the mark
        const module = line();
        const cls = global(module, line());
        stack.push(call(cls, popMark()));
        break;
      }
      case 0x6f: {
        // OBJ
        const [cls, ...args] = popMark();
        stack.push(call(cls, args));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        pop();
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x62: // BUILD: the allowed objects take no state (OrderedDict's _metadata is not needed)
        pop();
        top();
        break;
      case 0x50: // PERSID
        stack.push(opts.persistentLoad(line()));
        break;
      case 0x51: // BINPERSID
        stack.push(opts.persistentLoad(pop()));
        break;
      case 0x70: {
        // PUT
        const s = line();
        if (!/^\d+$/.test(s)) throw corrupt('bad PUT');
        memo.set(Number(s), top());
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x67: {
        // GET
        const s = line();
        if (!/^\d+$/.test(s)) throw corrupt('bad GET');
        stack.push(get(Number(s)));
        break;
      }
      case 0x68: // BINGET
        stack.push(get(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(get(u32()));
        break;
      case 0x82:
      case 0x83:
      case 0x84:
        throw new InputError(
          file,
          'pickle uses the copyreg extension registry, which is not allowed',
          'unsafe-pickle',
        );
      case 0x97:
      case 0x98:
        throw new InputError(
          file,
          'pickle uses out-of-band buffers, which are not supported',
          'unsupported-format',
        );
      default:
        throw corrupt(`unknown opcode 0x${op.toString(16)} at byte ${pos - 1}`);
    }
  }
}
