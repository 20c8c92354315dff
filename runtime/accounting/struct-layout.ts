/**
 * Where the fields of a C struct lie: each field placed after the previous
 * one at its alignment (natural, or an explicit __attribute__((aligned(N)))),
 * and the struct's size with its trailing padding, as the kernel's compiler
 * lays them out. The structs themselves are in taskstats-layout.ts.
 */

/** C types of the struct fields the kernel's accounting structs use. */
export type FieldType = 'u8' | 'u16' | 'u32' | 'u64' | 'char[32]' | 'u8[3]';

/** A field as the engine needs it. */
export interface StructField {
  /** The kernel's name of the field. */
  name: string;
  type: FieldType;
  /** An explicit __attribute__((aligned(N))) in the header, in bytes. */
  align?: number;
}

/** Where a placed field lies, and its name in decoded values. */
export interface Placement {
  /** Offset from the struct's start, in bytes. */
  offset: number;
  /** Size, in bytes. */
  size: number;
  /** The name in camelCase (cpu_delay_total → cpuDelayTotal). */
  key: string;
}

const SIZES: Record<FieldType, number> = { u8: 1, u16: 2, u32: 4, u64: 8, 'char[32]': 32, 'u8[3]': 3 };
const ALIGNS: Record<FieldType, number> = { u8: 1, u16: 2, u32: 4, u64: 8, 'char[32]': 1, 'u8[3]': 1 };

const alignOf = (f: StructField): number => Math.max(ALIGNS[f.type], f.align ?? 1);

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Places the fields one after another with C's alignment. */
export function placeFields<F extends StructField>(layout: readonly F[]): (F & Placement)[] {
  let at = 0;
  return layout.map((f) => {
    const align = alignOf(f);
    const offset = Math.ceil(at / align) * align;
    at = offset + SIZES[f.type];
    return { ...f, offset, size: SIZES[f.type], key: camel(f.name) };
  });
}

/** sizeof a struct of these placed fields, in bytes: the last field's end rounded up to the largest alignment. */
export function structSize(fields: readonly (StructField & Placement)[]): number {
  const end = Math.max(0, ...fields.map((f) => f.offset + f.size));
  const align = Math.max(1, ...fields.map(alignOf));
  return Math.ceil(end / align) * align;
}
