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

const median = (xs: number[]): number => {
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
