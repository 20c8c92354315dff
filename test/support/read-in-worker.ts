/**
 * Worker thread of the streamed-read test: reads workerData.id (with
 * workerData.params) from a ProcFs over workerData.root `times` times and
 * posts the length of each value.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ProcFs } from '../../runtime/index.js';

const { root, id, params, times } = workerData as { root: string; id: string; params: Record<string, number>; times: number };
const p = new ProcFs({ root });
const lengths: number[] = [];
for (let i = 0; i < times; i++) lengths.push((p.read(id as 'proc/pid/mountinfo', params as { pid: number }) as unknown[]).length);
parentPort!.postMessage(lengths);
