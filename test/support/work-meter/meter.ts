/**
 * The work meter: modules rewritten by instrument.ts add to `meter.n` one
 * for every loop iteration, and make every call and `new` through the
 * meter, which adds what the call cost:
 *
 * - a function of an instrumented module: 1 (its own loops and calls count
 *   the rest);
 * - a builtin of COSTS: what it walks (characters, bytes, elements: the
 *   distance a search ran, the length of a copy, ...), at least 1;
 * - any other function (a builtin missing from COSTS, a bound function, a
 *   function of a module not instrumented): 1, and its name goes into
 *   `meter.unknown`, so that a check can refuse counts that may miss work.
 *
 * A count so made depends only on the code and its input, not on the
 * machine or its load.
 */
import { isAscii, isUtf8 } from 'node:buffer';

/** Text instrument.ts puts into every function and class (a directive or a comment), so that the meter tells them by their text from functions of other modules. */
export const MARK = 'work-meter';

/** The cost of one call of a builtin, from its receiver, its arguments and its result. */
type Cost = (self: any, args: any[], result: any) => number;

const lengthOf = (x: any): number =>
  typeof x === 'string'
    ? x.length
    : typeof x?.length === 'number'
      ? x.length
      : typeof x?.byteLength === 'number'
        ? x.byteLength
        : typeof x?.size === 'number'
          ? x.size
          : 1;
const one: Cost = () => 1;
const self: Cost = (s) => lengthOf(s);
const result: Cost = (_s, _a, r) => lengthOf(r);
const arg0: Cost = (_s, a) => lengthOf(a[0]);
const argCount: Cost = (_s, a) => a.length;
/** A number's own conversion of a string walks it; of anything else, takes one step. */
const converted: Cost = (_s, a) => (typeof a[0] === 'string' ? a[0].length : 1);

/** Start index of a forward search (String, Array and typed-array rules: negative counts from the end, then clamped). */
function fromIndex(len: number, at: unknown): number {
  const i = at === undefined ? 0 : Math.trunc(Number(at)) || 0;
  return i < 0 ? Math.max(0, len + i) : Math.min(i, len);
}

/** A forward search: from its start to the end of the needle it found, or to the end when it found none. `indexOf` finds the hit of an `includes`. */
const searched =
  (indexOf: (this: any, ...a: any[]) => number): Cost =>
  (s, a, r) => {
    const len = lengthOf(s);
    const at = typeof r === 'number' ? r : indexOf.apply(s, a);
    const from = fromIndex(len, typeof a[1] === 'string' ? undefined : a[1]);
    const needle = typeof a[0] === 'string' || ArrayBuffer.isView(a[0]) ? lengthOf(a[0]) : 1;
    return at < 0 ? len - from : at - from + needle;
  };

/** A backward search: from its start (the last index by default) back to the hit, or to the beginning. */
const searchedBack: Cost = (s, a, r) => {
  const len = lengthOf(s);
  const from = a[1] === undefined ? len - 1 : Math.min(len - 1, Math.max(0, Math.trunc(Number(a[1])) || 0));
  return r < 0 ? from + 1 : from - r + 1;
};

/** Buffer's codec slices: the bytes of the range they decode (start 0 and end the length by default). */
const byteRange =
  (startArg: number): Cost =>
  (s, a) =>
    Math.min(s.length, a[startArg + 1] ?? s.length) - Math.max(0, a[startArg] ?? 0);

const COSTS = new Map<Function, Cost>();

/** Gives the methods `names` of `owner` the cost `cost`. */
function costs(owner: any, names: string[], cost: Cost): void {
  for (const name of names) {
    const fn = owner[name];
    if (typeof fn !== 'function') throw new Error(`work meter: no function ${name} to give a cost`);
    COSTS.set(fn, cost);
  }
}

const TypedArray = Object.getPrototypeOf(Uint8Array);
const codec = Buffer.prototype as any;

// Strings.
costs(String.prototype, ['indexOf'], searched(String.prototype.indexOf));
costs(String.prototype, ['includes'], searched(String.prototype.indexOf));
costs(String.prototype, ['lastIndexOf'], searchedBack);
costs(String.prototype, ['startsWith', 'endsWith'], arg0);
costs(
  String.prototype,
  ['slice', 'substring', 'substr', 'trim', 'trimStart', 'trimEnd', 'toLowerCase', 'toUpperCase', 'padStart', 'padEnd', 'repeat', 'concat', 'normalize'],
  result,
);
costs(String.prototype, ['split', 'replace', 'replaceAll', 'match', 'matchAll', 'search', 'localeCompare', 'toString', 'valueOf'], self);
costs(String.prototype, ['charCodeAt', 'codePointAt', 'charAt', 'at'], one);
costs(String, ['fromCharCode', 'fromCodePoint'], argCount);
costs(globalThis, ['String'], result);
costs(RegExp.prototype, ['test', 'exec'], arg0);

// Numbers.
costs(globalThis, ['Number', 'BigInt', 'parseInt', 'parseFloat'], converted);
costs(Number, ['parseInt', 'parseFloat'], converted);
costs(Number, ['isInteger', 'isSafeInteger', 'isFinite', 'isNaN'], one);
costs(globalThis, ['isFinite', 'isNaN'], one);
costs(Number.prototype, ['toString', 'toFixed'], result);
costs(BigInt.prototype, ['toString'], result);
costs(BigInt, ['asUintN', 'asIntN'], one);
costs(
  Math,
  Object.getOwnPropertyNames(Math).filter((k) => typeof (Math as any)[k] === 'function'),
  argCount,
);

// Arrays (by element).
costs(Array.prototype, ['indexOf', 'includes'], searched(Array.prototype.indexOf));
costs(Array.prototype, ['lastIndexOf'], searchedBack);
costs(Array.prototype, ['push', 'unshift'], argCount);
costs(Array.prototype, ['pop', 'at'], one);
costs(Array.prototype, ['slice', 'concat', 'join', 'splice'], result);
costs(
  Array.prototype,
  [
    'shift',
    'map',
    'filter',
    'forEach',
    'some',
    'every',
    'find',
    'findIndex',
    'findLast',
    'findLastIndex',
    'reduce',
    'reduceRight',
    'fill',
    'reverse',
    'sort',
    'flat',
    'flatMap',
    'keys',
    'values',
    'entries',
    'toString',
  ],
  self,
);
costs(Array, ['from'], result);
costs(Array, ['isArray'], one);
costs(Array, ['of'], argCount);
costs(globalThis, ['Array'], result);

// Bytes: typed arrays, Buffer, the codecs.
costs(TypedArray.prototype, ['indexOf', 'includes'], searched(TypedArray.prototype.indexOf));
costs(TypedArray.prototype, ['lastIndexOf'], searchedBack);
costs(TypedArray.prototype, ['subarray', 'slice'], result);
costs(TypedArray.prototype, ['set'], arg0);
costs(TypedArray.prototype, ['fill', 'join', 'map', 'forEach', 'every', 'some', 'reverse', 'sort', 'keys', 'values', 'entries'], self);
costs(TypedArray.prototype, ['at'], one);
// A DataView reads a fixed number of bytes (a binary layout's fields).
costs(
  DataView.prototype,
  ['getUint8', 'getUint16', 'getUint32', 'getBigUint64', 'getInt8', 'getInt16', 'getInt32', 'getBigInt64', 'getFloat32', 'getFloat64'],
  one,
);
costs(Buffer.prototype, ['indexOf', 'includes'], searched(Buffer.prototype.indexOf));
costs(Buffer.prototype, ['lastIndexOf'], searchedBack);
costs(Buffer.prototype, ['slice', 'subarray'], result);
costs(Buffer.prototype, ['equals', 'compare'], arg0);
costs(Buffer.prototype, ['toString'], byteRange(1));
costs(codec, ['latin1Slice', 'utf8Slice', 'asciiSlice', 'hexSlice', 'ucs2Slice', 'base64Slice'], byteRange(0));
costs(codec, ['utf8Write', 'latin1Write', 'asciiWrite', 'write'], (_s, a, r) => Math.max(lengthOf(a[0]), r));
costs(Buffer, ['from', 'byteLength', 'alloc', 'allocUnsafe', 'allocUnsafeSlow'], (_s, a) => (typeof a[0] === 'number' ? a[0] : lengthOf(a[0])));
costs(Buffer, ['concat'], result);
costs(Buffer, ['isBuffer', 'isEncoding'], one);
costs({ isAscii, isUtf8 }, ['isAscii', 'isUtf8'], arg0);
costs(TextDecoder.prototype, ['decode'], (_s, a) => (a[0] === undefined ? 1 : lengthOf(a[0])));
costs(TextEncoder.prototype, ['encode'], arg0);
costs(ArrayBuffer, ['isView'], one);
costs(
  globalThis,
  [
    'Uint8Array',
    'Int8Array',
    'Uint16Array',
    'Int16Array',
    'Uint32Array',
    'Int32Array',
    'Float64Array',
    'BigUint64Array',
    'BigInt64Array',
    'DataView',
    'ArrayBuffer',
  ],
  result,
);
costs(globalThis, ['TextDecoder', 'TextEncoder'], one);

// Maps, sets, objects: a step per entry for what walks them all, one for the rest.
for (const C of [Map, Set, WeakMap, WeakSet]) {
  const names = Object.getOwnPropertyNames(C.prototype).filter(
    (k) => k !== 'constructor' && typeof Object.getOwnPropertyDescriptor(C.prototype, k)!.value === 'function',
  );
  costs(
    C.prototype,
    names.filter((k) => k !== 'forEach' && k !== 'clear'),
    one,
  );
  costs(
    C.prototype,
    names.filter((k) => k === 'forEach' || k === 'clear'),
    self,
  );
  costs(globalThis, [C.name], result);
}
costs(Object, ['keys', 'values', 'entries', 'getOwnPropertyNames'], result);
costs(Object, ['assign'], (_s, a) => a.reduce((n: number, o: unknown) => n + (o == null ? 0 : Object.keys(o).length), 0));
costs(Object, ['fromEntries'], arg0);
costs(Object, ['create', 'freeze', 'isFrozen', 'getPrototypeOf', 'setPrototypeOf', 'defineProperty', 'getOwnPropertyDescriptor', 'is'], one);
costs(Object.prototype, ['hasOwnProperty'], one);
costs(Object, ['hasOwn'], one);
costs(globalThis, ['Object', 'Boolean', 'Symbol'], one);
costs(JSON, ['stringify'], result);
costs(JSON, ['parse'], arg0);

costs(Function.prototype, ['bind'], one);

// Errors: made and thrown when a parse refuses its input.
costs(globalThis, ['Error', 'TypeError', 'RangeError', 'SyntaxError'], one);
costs(Error, ['captureStackTrace'], one);

/** Kinds of function besides those of COSTS: one of an instrumented module (its text carries MARK), one of unknown cost, a call of another function (call, apply, Reflect.apply). */
const COUNTED = 1;
const UNKNOWN = 2;
const REDIRECT = 3;
type Kind = Cost | typeof COUNTED | typeof UNKNOWN | typeof REDIRECT;

const APPLY = Function.prototype.apply;
const CALL = Function.prototype.call;
const REFLECT_APPLY = Reflect.apply;

/** Every function's kind by its identity, learnt at its first call (weakly: closures come and go). */
const kinds = new WeakMap<object, Kind>([...COSTS, [APPLY, REDIRECT], [CALL, REDIRECT], [REFLECT_APPLY, REDIRECT]]);

function kindOf(fn: unknown): Kind {
  let kind = kinds.get(fn as object);
  if (kind === undefined) {
    // Not a function: the call throws as it would have.
    if (typeof fn !== 'function') return COUNTED;
    kind = Function.prototype.toString.call(fn).includes(MARK) ? COUNTED : UNKNOWN;
    kinds.set(fn, kind);
  }
  return kind;
}

/** Argument lists handed to the cost of a builtin called with 0 to 3 arguments, filled anew for each (no array made per call). */
const ARGS: unknown[][] = [[], [undefined], [undefined, undefined], [undefined, undefined, undefined]];

/** Adds the cost of a builtin's call that gave `r`, given its arguments in ARGS[argc]. */
function charge(cost: Cost, self: unknown, argc: number, r: unknown): void {
  meter.n += Math.max(1, cost(self, ARGS[argc]!, r));
}

/**
 * The entry points of rewritten code. c0 to c3 (by number of arguments)
 * make no array for a call of a function of an instrumented module or of a
 * builtin of COSTS; `apply` takes any call.
 */
export const meter = {
  /** Work counted since the last reset. */
  n: 0,
  /** Names of the functions called that the meter does not know the cost of. */
  unknown: new Set<string>(),

  reset(): void {
    meter.n = 0;
    meter.unknown.clear();
  },

  /** `fn.call(self)`, counted. */
  c0(fn: Function, self: unknown): unknown {
    const kind = kindOf(fn);
    if (kind === COUNTED) {
      meter.n++;
      return fn.call(self);
    }
    if (typeof kind !== 'function') return meter.apply(fn, self, []);
    const r = fn.call(self);
    charge(kind, self, 0, r);
    return r;
  },

  c1(fn: Function, self: unknown, a: unknown): unknown {
    const kind = kindOf(fn);
    if (kind === COUNTED) {
      meter.n++;
      return fn.call(self, a);
    }
    if (typeof kind !== 'function') return meter.apply(fn, self, [a]);
    const r = fn.call(self, a);
    ARGS[1]![0] = a;
    charge(kind, self, 1, r);
    return r;
  },

  c2(fn: Function, self: unknown, a: unknown, b: unknown): unknown {
    const kind = kindOf(fn);
    if (kind === COUNTED) {
      meter.n++;
      return fn.call(self, a, b);
    }
    if (typeof kind !== 'function') return meter.apply(fn, self, [a, b]);
    const r = fn.call(self, a, b);
    const args = ARGS[2]!;
    args[0] = a;
    args[1] = b;
    charge(kind, self, 2, r);
    return r;
  },

  c3(fn: Function, self: unknown, a: unknown, b: unknown, c: unknown): unknown {
    const kind = kindOf(fn);
    if (kind === COUNTED) {
      meter.n++;
      return fn.call(self, a, b, c);
    }
    if (typeof kind !== 'function') return meter.apply(fn, self, [a, b, c]);
    const r = fn.call(self, a, b, c);
    const args = ARGS[3]!;
    args[0] = a;
    args[1] = b;
    args[2] = c;
    charge(kind, self, 3, r);
    return r;
  },

  /** `self[key](...args)`, for a receiver that rewritten code should not evaluate twice. */
  method(self: any, key: PropertyKey, ...args: unknown[]): unknown {
    return meter.apply(self[key], self, args);
  },

  /** `fn.apply(self, args)`, counted; a call through call, apply or Reflect.apply costs what the function it calls does. */
  apply(fn: Function, self: any, args: any[]): unknown {
    const kind = kindOf(fn);
    if (kind === REDIRECT) {
      if (fn === CALL) return meter.apply(self, args[0], args.slice(1));
      if (fn === APPLY) return meter.apply(self, args[0], args[1] == null ? [] : Array.from(args[1]));
      return meter.apply(args[0], args[1], Array.from(args[2]));
    }
    if (typeof kind !== 'function') {
      meter.n++;
      if (kind === UNKNOWN) meter.unknown.add(fn.name || '(anonymous)');
      return Reflect.apply(fn, self, args);
    }
    const r = Reflect.apply(fn, self, args);
    meter.n += Math.max(1, kind(self, args, r));
    return r;
  },

  /** `new C(...args)`, counted. */
  construct(C: Function, ...args: unknown[]): unknown {
    const kind = kindOf(C);
    if (typeof kind !== 'function') {
      meter.n++;
      if (kind === UNKNOWN) meter.unknown.add(`new ${C.name || '(anonymous)'}`);
      return Reflect.construct(C, args);
    }
    const r = Reflect.construct(C, args);
    meter.n += Math.max(1, kind(undefined, args, r));
    return r;
  },
};
