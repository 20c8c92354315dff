/**
 * procspec's Prometheus exporter as a library: the metrics of a ProcFs in the
 * text format or OpenMetrics, for a program that serves them itself (or hands
 * them to another registry). `procspec serve` (cli/serve.ts) is this behind
 * an HTTP server (server.ts). Naming rules: docs/exporter.md.
 */
import type { ProcFs } from '../runtime/index.js';
import { type Format, OPENMETRICS, TEXT } from './exposition.js';
import { Exporter, type ExporterOptions } from './exporter.js';

export { Exporter, SelectionError, allCollectors, type ExporterOptions } from './exporter.js';
export { Scrape, SELF, type CollectorResult } from './collect.js';
export { OFF_BY_DEFAULT, type CollectorDef } from './collectors.js';
export { DEFAULT_CGROUP_DEPTH } from './cgroups.js';
export { specFamilies, type SpecFamilies } from './families.js';
export { FamilyList, FamilySlots, type Sample, Sink } from './walks.js';
export { contentType, formatValue, render, type Format } from './exposition.js';
export { acceptsGzip, negotiateFormat } from './negotiate.js';
export { familyName, snake, specStem, type FamilyDef, type MetricType, type BaseUnit } from './names.js';
export { startServer, type ServeOptions, type Server } from './server.js';
export { GROUP_METRICS, type GroupMetric, type ProcessGroupsOptions } from './groups/collector.js';
export { GroupsConfigError, parseGroupsConfig, readGroupsConfig, type GroupsConfig } from './groups/config.js';

export interface MetricsOptions extends ExporterOptions {
  /** `text` (0.0.4, the default) or `openmetrics` (1.0.0). */
  format?: 'text' | 'openmetrics';
  /** Reads not finished by then mark their collector failed. Default 10 s. */
  deadlineMs?: number;
}

/**
 * The metrics `procspec serve` would serve, from a ProcFs: the default set
 * of collectors (or as `options` change it), in the text format 0.0.4 or
 * OpenMetrics. Use `new ProcFs({ bigint: true })` for 64-bit counters
 * printed exactly. A program that scrapes often keeps one Exporter instead
 * (its per-collector counters of parse errors and timeouts live there).
 */
export async function metricsText(fs: ProcFs<boolean>, options: MetricsOptions = {}): Promise<string> {
  const exporter = new Exporter(fs, options);
  try {
    const scrape = await exporter.scrape(exporter.enabled, options.deadlineMs);
    const format: Format = options.format === 'openmetrics' ? OPENMETRICS : TEXT;
    return scrape.text(format);
  } finally {
    exporter.close();
  }
}
