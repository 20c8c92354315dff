/**
 * node keeps its one libuv timer armed for the earliest timer it was given,
 * even after that timer is cleared: it looks again only when the libuv
 * timer fires. A scrape sets its deadline (9.5 s under Prometheus's
 * defaults) and clears it a few milliseconds later, so an exporter scraped
 * every 15 s was still woken 9.5 s after each scrape, for nothing. Such a
 * wake of a process idle for seconds costs 2-4 ms of CPU (its pages have
 * gone cold), as much as a fifth of the scrape (docs/exporter.md, "Idle
 * wakes"). A timer due at once, set when an answer is sent, makes node look
 * while the process is still warm: it finds the next timer really due and
 * arms libuv for that one.
 */

const nothing = (): void => {};

/** Makes node re-arm its libuv timer for the earliest timer still set, on the next turn of the event loop. */
export function settleTimers(): void {
  setTimeout(nothing, 0).unref();
}
