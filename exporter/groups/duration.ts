/** Durations as Prometheus and node_exporter write them: `10m`, `1h30m`, `90s`, `500ms`, `0s`. */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** A duration in milliseconds, undefined when the text is not one (units y, w, d, h, m, s, ms, largest first). */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const m = /^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/.exec(text);
  if (m === null || text === '') return undefined;
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let ms = 0;
  for (let i = 0; i < units.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNITS[units[i]!]!;
  return ms;
}
