/**
 * Worker thread of the native-batches test: lists the processes of
 * workerData.root `times` times with one helper thread asked for, and posts
 * each listing's rows as JSON (the helpers are one pool per process: while
 * the main thread's listing has them, this one reads alone).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ProcFs } from '../../runtime/index.js';

const { root, times } = workerData as { root: string; times: number };
const p = new ProcFs({ root });
const listings: string[] = [];
for (let i = 0; i < times; i++) listings.push(JSON.stringify(p.processes({ groups: ['base', 'cpu', 'cmdline'], threads: 1 }).rows));
parentPort!.postMessage(listings);
