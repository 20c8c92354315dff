/**
 * Timing and memory measurement for the benchmarks: contenders run in the
 * same process on the same input, interleaved round by round, and what is
 * reported is the median of each and the median of the per-round ratios
 * (shared, noisy machines make absolute numbers unreliable; ratios travel).
 */

export interface Contender {
  name: string;
  run: () => unknown;
}

export interface Timing {
  name: string;
  /** Median nanoseconds per call over the rounds. */
  medianNs: number;
}

export interface Comparison {
  timings: Timing[];
  /** Median over rounds of (contender time / first contender's time). */
  ratios: number[];
  rounds: number;
  callsPerRound: number;
}

/** The median of xs (the mean of the two middle ones for an even count). */
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

let sink: unknown;

function batch(c: Contender, calls: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) sink = c.run();
  return Number(process.hrtime.bigint() - t0) / calls;
}

/**
 * Times the contenders against the first one. Each round runs every
 * contender once for `callsPerRound` calls, in an order that alternates
 * between rounds so drift favours no one.
 */
export function compare(contenders: Contender[], opts: { rounds?: number; targetMs?: number } = {}): Comparison {
  const rounds = opts.rounds ?? 21;
  const targetMs = opts.targetMs ?? 25;
  // Warm up (JIT) and size the batches so the slowest contender takes about targetMs.
  let slowest = 0;
  for (const c of contenders) {
    batch(c, 200);
    slowest = Math.max(slowest, batch(c, 200));
  }
  const callsPerRound = Math.max(10, Math.round((targetMs * 1e6) / Math.max(slowest, 1)));
  const times: number[][] = contenders.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = contenders.map((_c, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) times[i]!.push(batch(contenders[i]!, callsPerRound));
  }
  const ratios = contenders.map((_c, i) => median(times[i]!.map((t, r) => t / times[0]![r]!)));
  void sink;
  return {
    timings: contenders.map((c, i) => ({ name: c.name, medianNs: median(times[i]!) })),
    ratios,
    rounds,
    callsPerRound,
  };
}

/** One measurement: heap growth while `count` values are alive, per value. */
function retainedOnce(make: () => unknown, count: number, gc: () => void): number {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  let keep: unknown[] | null = [];
  for (let i = 0; i < count; i++) keep.push(make());
  // Held through a module variable, and the local cleared: no stack slot keeps the
  // values alive into the next measurement, and the optimiser cannot prove them dead.
  sink = keep;
  keep = null;
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  sink = undefined;
  return (after - before) / count;
}

/**
 * Heap bytes retained per value when `count` values made by `make` are kept
 * alive (median of 5); needs node --expose-gc (otherwise undefined).
 */
export function retainedBytes(make: () => unknown, count = 2000): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  const samples: number[] = [];
  for (let r = 0; r < 5; r++) samples.push(retainedOnce(make, count, gc));
  return median(samples);
}

/** Nanoseconds f takes. */
export const time = (f: () => unknown): number => {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0);
};

/** Nanoseconds until f's promise settles. */
export const timeAsync = async (f: () => Promise<unknown>): Promise<number> => {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0);
};

/** CPU time (user and system, every thread of this process) of f, sync or async, in nanoseconds. */
export const cpuOf = async (f: () => unknown): Promise<number> => {
  const c = process.cpuUsage();
  await f();
  const d = process.cpuUsage(c);
  return (d.user + d.system) * 1000;
};

/**
 * Runs `f` until it has run `calls` times or for `ms` milliseconds, whichever
 * comes first: V8 compiles a function optimised only after it has run a
 * while, and a monitor lists its processes every few seconds for hours, so
 * the figures are of the code it runs then, not of the first calls.
 */
export async function warmUp(f: () => unknown, calls = 200, ms = 300): Promise<void> {
  const end = performance.now() + ms;
  for (let i = 0; i < calls && performance.now() < end; i++) await f();
}
