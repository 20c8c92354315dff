/**
 * The parser emitter: one pure function `(text, context) -> value` per spec,
 * made of calls to the scanner in runtime/scan.ts in the order the spec
 * describes. Strings reach the code only through JSON.stringify (a quoted
 * literal); names are checked identifiers.
 */
import { VariableDeclarationKind, type CodeBlockWriter, type SourceFile } from 'ts-morph';
import type { FieldModel, KeyedEntry, LayoutModel, RecordModel, SpecModel, TokenModel, ValueModel } from '../../runtime/model.js';
import { scalarType, type Shapes } from '../shapes.js';

const q = (s: string): string => JSON.stringify(s);

/**
 * A list made at the length `room` (an expression) and filled in place:
 * listStart, then listAdd per item (push once the room is used up), then
 * listEnd (cuts the length to the items read, when there were fewer).
 */
function listStart(w: CodeBlockWriter, arr: string, type: string, room: string): void {
  w.writeLine(`const ${arr} = new Array<${type}>(${room});`);
  w.writeLine(`let ${arr}n = 0;`);
}

function listAdd(w: CodeBlockWriter, arr: string, item: string): void {
  w.writeLine(`if (${arr}n < ${arr}.length) ${arr}[${arr}n] = ${item}; else ${arr}.push(${item});`);
  w.writeLine(`${arr}n++;`);
}

function listEnd(w: CodeBlockWriter, arr: string): void {
  w.writeLine(`if (${arr}n < ${arr}.length) ${arr}.length = ${arr}n;`);
}

/** Where a value sits: one token among others, the rest of a keyed line, or a whole NUL-separated item. */
type Place = 'token' | 'line' | 'item';

interface Fn {
  name: string;
  params: string;
  returnType: string;
  body: (w: CodeBlockWriter) => void;
}

/**
 * The read of an escaped string: the word readers have variants that look
 * for the backslash while they read (no second search of each word); other
 * reads are decoded by Scan.unescape.
 */
function unescaped(read: string): string {
  if (read === 's.word()') return 's.wordUnescaped()';
  const to = /^s\.wordTo\((".*")\)$/.exec(read);
  if (to) return `s.wordToUnescaped(${to[1]})`;
  const before = /^s\.wordBefore\((".*"), (".*")\)$/.exec(read);
  if (before) return `s.wordBeforeUnescaped(${before[1]}, ${before[2]})`;
  return `Scan.unescape(${read})`;
}

/** Units counted in something other than bytes, and the expression of bytes per unit (`bytes` itself: 1). */
const BYTE_FACTORS: Record<string, string> = { bytes: '1', kB: '1024', pages: 'ctx.pageSize', sectors: '512' };

/** Units of time, which a value is divided into seconds from (read as a double: approx). */
const TIME_UNITS: ReadonlySet<string> = new Set(['ticks', 'jiffies', 'ns', 'us', 'ms', 'cs']);

/** How a keyed entry whose value is an unsigned number alone on its line is read (Scan.uLine): the factor to bytes and the unit after it. */
interface LineNumber {
  /** Code of the factor (a number, or ctx.pageSize). */
  factor: string;
  /** Whether the factor is a number known when the parser is generated (Scan.keyedNumber takes those). */
  constant: boolean;
  suffix: string;
  /** The suffix may be missing: such a line is left to Scan.uLine (its factor in the key table is 0). */
  optional: boolean;
  /** A wide integer: a bigint in exact mode (Scan.uLineW). */
  wide: boolean;
}

/** The LineNumber of a keyed entry, or undefined when its value is anything else. */
function lineNumber(e: KeyedEntry): LineNumber | undefined {
  const val = e.field.value;
  if (e.repeated || e.prefix !== undefined || val.kind !== 'integer') return undefined;
  const factor = BYTE_FACTORS[val.unit ?? 'bytes'];
  if (factor === undefined || val.signed || val.hex || val.octal || val.sentinels.length > 0) return undefined;
  return { factor, constant: /^\d+$/.test(factor), suffix: val.suffix ?? '', optional: val.suffixOptional === true, wide: val.wide === true };
}

/**
 * Whether value() reads `v` as a bare s.u(): an unsigned decimal integer with
 * no sentinel, suffix, hex or octal form, and a unit that needs no scaling
 * (none, bytes, or one that is neither a byte multiple nor a time). A repeated
 * token of such values is read by Scan.uList in one loop.
 */
function isPlainUnsigned(v: ValueModel): boolean {
  if (v.kind !== 'integer' || v.hex || v.octal || v.signed || v.sentinels.length > 0 || v.suffix !== undefined) return false;
  return v.unit === undefined || v.unit === 'bytes' || (BYTE_FACTORS[v.unit] === undefined && !TIME_UNITS.has(v.unit));
}

/** Whether the parser module of `spec` has a pick function (a one-line file of positional fields). */
export function hasPick(spec: SpecModel): boolean {
  return spec.layout.kind === 'line' && !spec.layout.record.pairs && spec.layout.record.tokens.some((t) => t.kind === 'field');
}

/** Whether the parser module of `spec` exports a pieces reader (a file that is one table or one list of blocks). */
export function hasPieces(spec: SpecModel): boolean {
  return spec.layout.kind === 'table' || spec.layout.kind === 'blocks';
}

/** Name of the pieces reader of `spec`. */
export function piecesNameOf(spec: SpecModel): string {
  return spec.parseName.replace(/^parse/, 'pieces');
}

/** Name of the pick function of `spec`. */
export const pickNameOf = (spec: SpecModel): string => `pick${spec.typeName}`;

export function emitParser(file: SourceFile, spec: SpecModel, shapes: Shapes, typesModule: string): void {
  const fns: Fn[] = [];
  const recordFn = new Map<RecordModel, string>();
  const layoutFn = new Map<LayoutModel, string>();
  let counter = 0;

  const scaleExpr = (expr: string, unit: string | undefined, wide = false): string => {
    const factor = unit === undefined || unit === 'bytes' ? undefined : BYTE_FACTORS[unit];
    if (factor !== undefined) return `s.${wide ? 'scaleW' : 'scale'}(${expr}, ${factor})`;
    switch (unit) {
      case 'ticks': return `${expr} / ctx.clockTick`;
      case 'jiffies': return `${expr} / ctx.hz`;
      case 'ns': return `${expr} / 1e9`;
      case 'us': return `${expr} / 1e6`;
      case 'ms': return `${expr} / 1e3`;
      case 'cs': return `${expr} / 100`;
      default: return expr;
    }
  };

  /** Statements that read a value at the cursor into `target`. */
  const value = (w: CodeBlockWriter, v: ValueModel, target: string, place: Place, label: string): void => {
    switch (v.kind) {
      case 'integer':
      case 'u64': {
        const toSeconds = v.kind === 'integer' && v.unit !== undefined && TIME_UNITS.has(v.unit);
        const wide = v.kind === 'integer' && v.wide === true;
        const read =
          v.kind === 'u64' ? (v.hex ? 's.hex64()' : 's.u64()')
          : v.hex ? (wide ? 's.wHex()' : 's.hexNum()')
          : v.octal ? (wide ? 's.wOct()' : 's.octNum()')
          : toSeconds ? (v.signed ? 's.approx()' : 's.approxUnsigned()')
          : v.signed ? (wide ? 's.wi()' : 's.i()') : wide ? 's.w()' : 's.u()';
        const num = v.kind === 'integer' ? scaleExpr(read, v.unit, wide) : read;
        if (v.sentinels.length > 0) {
          w.write('switch (s.peek()) ').block(() => {
            for (const st of v.sentinels) {
              w.writeLine(`case ${q(st.raw)}: s.pos += ${st.raw.length}; ${target} = ${q(st.name)}; break;`);
            }
            w.writeLine(`default: ${target} = ${num};`);
          });
        } else {
          w.writeLine(`${target} = ${num};`);
        }
        if (v.kind === 'integer' && v.suffix !== undefined) w.writeLine(`s.${v.suffixOptional ? 'optLit' : 'lit'}(${q(v.suffix)});`);
        return;
      }
      case 'float':
        w.writeLine(`${target} = ${scaleExpr('s.f()', v.unit)};`);
        if (v.suffix !== undefined) w.writeLine(`s.${v.suffixOptional ? 'optLit' : 'lit'}(${q(v.suffix)});`);
        return;
      case 'string': {
        const read = place === 'line' ? (v.verbatim ? 's.restVerbatim()' : 's.rest()') : place === 'item' ? 's.whole()' : v.quoted ? 's.quoted()' : 's.word()';
        w.writeLine(`${target} = ${v.escaped ? unescaped(read) : read};`);
        return;
      }
      case 'enum':
        w.write('switch (s.word()) ').block(() => {
          for (const e of v.values) w.writeLine(`case ${q(e.raw)}: ${target} = ${q(e.name)}; break;`);
          w.writeLine(`default: s.fail(${q(`${label}: one of ${v.values.map((e) => e.raw).join(', ')}`)});`);
        });
        return;
      case 'mask':
        w.writeLine(`${target} = s.mask();`);
        return;
      case 'cpulist':
        w.writeLine(`${target} = s.cpulist();`);
        return;
      case 'inet':
        w.writeLine(`${target} = s.inet(${q(v.order)}, ctx.littleEndian);`);
        return;
      case 'list': {
        const arr = `a${counter++}`;
        const item = `i${counter++}`;
        const type = scalarType(v.of);
        // The items of one token (`rw,relatime`), or the tokens of a short rest of a line (VmFlags), are counted first
        // and go into an array made at that length (Scan.listRoom).
        const room = v.open === undefined && (v.separator === null || v.separator.length === 1);
        if (room) listStart(w, arr, type, `s.listRoom(${v.separator === null ? -1 : v.separator.charCodeAt(0)})`);
        else w.writeLine(`const ${arr}: ${type}[] = [];`);
        const add = (): void => {
          if (room) listAdd(w, arr, item);
          else w.writeLine(`${arr}.push(${item});`);
        };
        w.writeLine(`let ${item}: ${type};`);
        if (v.open !== undefined) w.writeLine(`s.ws(); s.char(${q(v.open)}); s.ws();`);
        const stop = v.open !== undefined ? `!s.at(${q(v.close!)})` : 's.more()';
        if (v.separator === null) {
          w.write(`while (${stop}) `).block(() => {
            value(w, v.of, item, 'token', label);
            add();
            w.writeLine(v.open !== undefined ? 's.ws();' : 's.sep();');
          });
        } else {
          w.write(`if (${stop}) for (;;) `).block(() => {
            w.writeLine('s.ws();');
            if (v.of.kind === 'string' && v.separator!.length === 1) {
              // An item may be empty (gVisor prints a mount's options as ",noatime,..."): kept as "".
              const read = `s.wordBefore(${q(v.separator!)}, ${q(v.separator!)})`;
              w.writeLine(`${item} = ${v.of.escaped ? unescaped(read) : read};`);
            } else value(w, v.of, item, 'token', label);
            add();
            // White space may come before a separator; without one it is the boundary after the list.
            w.writeLine('const b = s.pos;');
            w.writeLine('s.ws();');
            w.writeLine(`if (!s.at(${q(v.separator!)})) { s.pos = b; break; }`);
            w.writeLine('s.pos++;');
          });
        }
        if (v.close !== undefined) w.writeLine(`s.char(${q(v.close)});`);
        if (room) listEnd(w, arr);
        w.writeLine(`${target} = ${arr};`);
        return;
      }
      case 'pair': {
        const a = `p${counter++}`;
        const b = `p${counter++}`;
        w.writeLine(`let ${a}: ${scalarType(v.first.value)};`);
        w.writeLine(`let ${b}: ${scalarType(v.second.value)}${v.second.optional ? ' | undefined' : ''};`);
        const fv = v.first.value;
        if (fv.kind === 'string' && v.separator.length === 1) {
          // A string first part ends at the separator (or, with an optional second part, at the token's end).
          const read = fv.quoted ? `s.quoted(${q(v.separator)})` : `s.wordTo(${q(v.separator)})`;
          w.writeLine(`${a} = ${fv.escaped ? unescaped(read) : read};`);
        } else value(w, fv, a, 'token', v.first.name);
        const aRaw = fv.kind === 'inet' ? `${a}Raw` : undefined;
        if (aRaw) w.writeLine(`const ${aRaw} = s.lastToken();`);
        const sRaw = v.second.value.kind === 'inet' ? `${b}Raw` : undefined;
        if (sRaw) w.writeLine(`let ${sRaw}: string | undefined;`);
        const firstProps = `${v.first.name}: ${a}${aRaw ? `, ${v.first.name}Raw: ${aRaw}` : ''}`;
        const second = (): void => {
          const sv = v.second.value;
          if (sv.kind === 'string' && sv.quoted) w.writeLine(`${b} = ${sv.escaped ? 'Scan.unescape(s.quoted(undefined, true))' : 's.quoted(undefined, true)'};`);
          else value(w, sv, b, 'token', v.second.name);
          if (sRaw) w.writeLine(`${sRaw} = s.lastToken();`);
        };
        if (v.second.optional) {
          w.write(`if (s.at(${q(v.separator)})) `).block(() => {
            w.writeLine('s.pos++;');
            second();
          });
          if (fv.kind === 'string' && fv.quoted) w.writeLine(`if (s.quoteOpen) { s.quoteOpen = false; s.fail(${q('a closing double quote')}); }`);
          w.writeLine(`${target} = { ${firstProps} };`);
          w.writeLine(`if (${b} !== undefined) ${target}.${v.second.name} = ${b};`);
          if (sRaw) w.writeLine(`if (${sRaw} !== undefined) ${target}.${v.second.name}Raw = ${sRaw};`);
        } else {
          w.writeLine(`s.char(${q(v.separator)});`);
          second();
          w.writeLine(`${target} = { ${firstProps}, ${v.second.name}: ${b}${sRaw ? `, ${v.second.name}Raw: ${sRaw}!` : ''} };`);
        }
        return;
      }
      case 'record':
        w.writeLine(`${target} = ${record(v.record)}(s, ctx);`);
        return;
    }
  };

  const fieldType = (f: FieldModel, owner: string): string => {
    const shape = shapes.list.find((s) => s.name === owner);
    const sf = shape?.fields.find((x) => x.name === f.name);
    if (!sf) throw new Error(`no shape field ${owner}.${f.name}`);
    return sf.type;
  };

  /** Token statements of a record, assigning locals v_<name>. */
  /** A token a pick can step over without reading its value: one plain word. */
  const skippable = (t: Extract<TokenModel, { kind: 'field' }>): boolean =>
    !t.repeat && !t.rest && t.perColumn === undefined && t.enclosed === undefined && t.width === undefined && t.untilLast === undefined &&
    t.prefix === undefined && t.terminator === undefined && ['integer', 'u64', 'float', 'string', 'enum', 'mask', 'cpulist'].includes(t.field.value.kind);

  /**
   * Per field token of a pick's record: 1 for a plain token (one word that
   * is always there), 2 for a plain one with a literal before it (a run of
   * skipped tokens cannot reach over the literal), 0 for any other (read
   * whether asked for or not, or optional). See Scan.want.
   */
  const plainTokens = (r: RecordModel): number[] => {
    const out: number[] = [];
    let literal = false;
    for (const t of r.tokens) {
      if (t.kind === 'literal') {
        literal = true;
        continue;
      }
      out.push(skippable(t) && !t.field.optional ? (literal ? 2 : 1) : 0);
      literal = false;
    }
    return out;
  };

  /** Whether optional token `t` of `r` is read where it stands, by its opening character (see checkTokens), not as a trailing one. */
  const recognised = (r: RecordModel, t: TokenModel): boolean => r.tokens.slice(r.tokens.indexOf(t) + 1).some((x) => x.kind === 'field' && !x.field.optional);

  /** Token statements of a record; with `pick`, plain tokens whose `want` flag is off are stepped over unread, a run of them in one call. */
  const tokens = (w: CodeBlockWriter, r: RecordModel, owner: string, pick = false): void => {
    let opened = false;
    let index = -1;
    const plain = plainTokens(r);
    for (const t of r.tokens) {
      if (t.kind === 'literal') {
        w.writeLine(`s.lit(${q(t.text)}); s.sep();`);
        continue;
      }
      index++;
      if (t.field.optional && t.enclosed && recognised(r, t)) {
        // An optional token inside delimiters before required ones is there when its opening character is.
        w.writeLine('s.ws();');
        w.write(`if (s.at(${q(t.enclosed.open)})) `).block(() => token(w, t, owner, pick));
        continue;
      }
      if (t.field.optional && !opened) {
        w.writeLine('let ok = s.more();');
        opened = true;
      }
      const i = index;
      const emitToken = (): void => {
        if (pick && skippable(t)) {
          w.write(`if (want[${i}] === 1) `).block(() => token(w, t, owner, true));
          // A plain token starts a run (want[n + i] > 0) or lies inside one already stepped over.
          if (plain[i] !== 0) w.writeLine(`else if (want[${plain.length + i}] !== 0) s.skipWords(want[${plain.length + i}]!);`);
          else w.writeLine('else s.skipWords(1);');
        } else token(w, t, owner, pick);
      };
      if (t.field.optional) {
        w.write('if (ok) ').block(() => {
          emitToken();
          w.writeLine('ok = s.more();');
        });
      } else {
        emitToken();
      }
      // A pick reads no further than the last field asked for.
      if (pick) w.writeLine(`if (want[${2 * plain.length}] === ${i}) break tokens;`);
    }
  };

  /** Statements reading one field token into v_<name> (declared already with `predeclared`: a pick's locals are declared before its tokens). */
  const token = (w: CodeBlockWriter, t: Extract<TokenModel, { kind: 'field' }>, owner: string, predeclared = false): void => {
    const v = `v_${t.field.name}`;
    const f = t.field;
    const esc = (read: string): string => (f.value.kind === 'string' && f.value.escaped ? unescaped(read) : read);
    const verbatim = f.value.kind === 'string' && f.value.verbatim === true;
    const fv = f.value;
    if (
      fv.kind === 'integer' && !fv.hex && !fv.octal && fv.sentinels.length === 0 && fv.suffix === undefined &&
      !t.repeat && t.perColumn === undefined && t.prefix === undefined && !t.rest && t.width === undefined &&
      t.untilLast === undefined && t.enclosed === undefined && t.terminator === undefined
    ) {
      // The commonest token, a decimal integer: white space, the number and the boundary after it in one call.
      const toSeconds = fv.unit !== undefined && TIME_UNITS.has(fv.unit);
      const wide = fv.wide === true;
      const read = toSeconds ? (fv.signed ? 's.tokApprox()' : 's.tokApproxUnsigned()') : fv.signed ? (wide ? 's.tokWI()' : 's.tokI()') : wide ? 's.tokW()' : 's.tokU()';
      w.writeLine(`${v} = ${scaleExpr(read, fv.unit, wide)};`);
      return;
    }
    // A verbatim value keeps its leading white space: the separator before it is one character, stepped over by the token before.
    w.writeLine(verbatim ? 's.oneSpace();' : 's.ws();');
    if (t.repeat || t.perColumn !== undefined) {
      const item = `r${counter++}`;
      const itemType = fieldType(f, owner).replace(/^Array<(.*)>$/, '$1').replace(/\[\]$/, '');
      const arrayType = itemType.includes('|') ? `Array<${itemType}>` : `${itemType}[]`;
      const plainList = t.perColumn === undefined && t.endsAt === undefined && t.prefix === undefined && isPlainUnsigned(f.value);
      if (plainList) {
        const list = f.value.kind === 'integer' && f.value.wide ? 's.wList()' : 's.uList()';
        w.writeLine(predeclared ? `${v} = ${list};` : `const ${v}: ${arrayType} = ${list};`);
        return;
      }
      w.writeLine(predeclared ? `${v} = [] as ${arrayType};` : `const ${v}: ${arrayType} = [];`);
      w.writeLine(`let ${item}: ${itemType};`);
      const each = (): void => {
        if (t.prefix !== undefined) w.writeLine(`s.lit(${q(t.prefix)});`);
        value(w, f.value, item, 'token', f.name);
        w.writeLine(`${v}.push(${item});`);
        w.writeLine('s.sep();');
      };
      if (t.perColumn !== undefined) {
        // One value per header column; a row may stop early at the end of its line (x86's ERR: and MIS:).
        w.write(`for (let n = h.${t.perColumn}.length; n > 0 && s.more(); n--) `).block(each);
      } else if (t.endsAt !== undefined) {
        w.write('for (;;) ').block(() => {
          w.writeLine(`if (!s.more()) { s.ts = s.pos; s.fail(${q(`a lone "${t.endsAt}" ending ${f.name}`)}); }`);
          w.writeLine(`if (s.peek() === ${q(t.endsAt!)}) { s.pos += ${t.endsAt!.length}; break; }`);
          each();
        });
      } else {
        w.write('while (s.more()) ').block(each);
      }
      return;
    }
    if (t.prefix !== undefined) w.writeLine(`s.lit(${q(t.prefix)});`);
    if (t.rest) {
      w.writeLine(`${v} = ${esc(verbatim ? 's.restVerbatim()' : 's.rest()')};`);
      return;
    }
    if (t.width !== undefined) {
      w.writeLine(`${v} = ${esc(`s.fixed(${t.width})`)};`);
      return;
    }
    if (t.untilLast !== undefined) {
      w.writeLine(`${v} = ${esc(`s.untilLast(${q(t.untilLast)}${verbatim ? ', true' : ''})`)};`);
      return;
    }
    // A terminator that may be missing is there, or the line ends (the optional tokens after it are absent).
    const end = (c: string): string => `s.${t.terminatorOptional ? 'charOrEnd' : 'char'}(${q(c)});`;
    if (t.enclosed) {
      w.writeLine(`${v} = ${esc(`s.enclosed(${q(t.enclosed.open)}, ${q(t.enclosed.close)}, ${q(t.enclosed.closeAt)})`)};`);
      if (t.terminator !== undefined) w.writeLine(end(t.terminator));
      else w.writeLine('s.sep();');
      return;
    }
    if (t.terminator !== undefined && f.value.kind === 'string') {
      w.writeLine(`${v} = ${esc(`s.${t.terminatorOptional ? 'untilOrEnd' : 'until'}(${q(t.terminator)}).trim()`)};`);
      return;
    }
    if (t.terminator !== undefined && f.value.kind === 'list' && f.value.separator !== null && f.value.of.kind === 'string' && f.value.open === undefined) {
      // A list ended by a terminator (cgroup's `cpu,cpuacct:`): items stop at either character, and it may be empty.
      const sep = f.value.separator;
      const item = f.value.of.escaped ? unescaped(`s.wordBefore(${q(sep)}, ${q(t.terminator)})`) : `s.wordBefore(${q(sep)}, ${q(t.terminator)})`;
      w.writeLine(`${v} = [];`);
      w.write(`if (!s.at(${q(t.terminator)})) for (;;) `).block(() => {
        w.writeLine(`${v}.push(${item});`);
        w.writeLine(`if (!s.at(${q(sep)})) break;`);
        w.writeLine('s.pos++;');
      });
      w.writeLine(end(t.terminator));
      return;
    }
    value(w, f.value, v, 'token', f.name);
    if (f.value.kind === 'inet') w.writeLine(`${v}Raw = s.lastToken();`);
    if (t.terminator !== undefined) w.writeLine(end(t.terminator));
    else w.writeLine('s.sep();');
  };

  const recordLocals = (w: CodeBlockWriter, r: RecordModel, owner: string, pick = false): void => {
    for (const t of r.tokens) {
      // Repeated tokens declare their array where they are read, except in a pick (its tokens are in a block it may leave early).
      if (t.kind !== 'field' || ((t.repeat || t.perColumn !== undefined) && !pick)) continue;
      const maybe = t.field.optional || pick ? ' | undefined' : '';
      w.writeLine(`let v_${t.field.name}: ${fieldType(t.field, owner)}${maybe}${pick ? ' = undefined' : ''};`);
      if (t.field.value.kind === 'inet') w.writeLine(`let v_${t.field.name}Raw: string${maybe};`);
    }
    for (const f of r.pairs?.fields ?? []) w.writeLine(`let v_${f.name}: ${fieldType(f, owner)} | undefined;`);
    for (const f of r.columns?.fields ?? []) w.writeLine(`let v_${f.name}: ${fieldType(f, owner)} | undefined;`);
  };

  /** `case "<raw>":` arms reading the value of each named field (of `pairs` or `columns`) into v_<name>. */
  const namedCases = (w: CodeBlockWriter, fields: FieldModel[]): void => {
    for (const f of fields) {
      w.write(`case ${q(f.raw)}: `).block(() => {
        w.writeLine(`if (v_${f.name} !== undefined) s.duplicate(k);`);
        value(w, f.value, `v_${f.name}`, 'token', f.name);
        w.writeLine('s.sep();');
        w.writeLine('break;');
      });
    }
  };

  /** Reads one value per header name (`names`), by name: spec fields typed, the others into `extra`. */
  const columns = (w: CodeBlockWriter, r: RecordModel): void => {
    if (!r.columns) return;
    const c = r.columns;
    if (c.others) w.writeLine('const others = Object.create(null) as Record<string, N | string>;');
    else w.writeLine('let extra: Record<string, N | string> | undefined;');
    w.write('for (const k of names) ').block(() => {
      w.writeLine('if (!s.more()) { s.ts = s.pos; s.fail(`a value for the column "${k}"`); }');
      w.write('switch (k) ').block(() => {
        namedCases(w, c.fields);
        w.write('default: ').block(() => {
          const into = c.others ? 'others' : 'extra';
          if (!c.others) w.writeLine('if (extra === undefined) extra = Object.create(null) as Record<string, N | string>;');
          w.writeLine(`if (Object.prototype.hasOwnProperty.call(${into}, k)) s.duplicate(k);`);
          w.writeLine(`${into}[k] = s.extraToken();`);
        });
      });
    });
    for (const f of c.fields) {
      if (!f.optional) w.writeLine(`if (v_${f.name} === undefined) s.missing(${q(`the column "${f.raw}"`)});`);
    }
  };

  /** Reads `key=value` tokens up to the end of the line. */
  const pairs = (w: CodeBlockWriter, r: RecordModel, owner: string): void => {
    if (!r.pairs) return;
    const p = r.pairs;
    w.writeLine('let extra: Record<string, string> | undefined;');
    w.write('while (s.more()) ').block(() => {
      // Word-value pairs (`inuse 5 mem 2`) are separated by white space; otherwise the key ends at the separator.
      w.writeLine(p.separator === ' ' ? 'const k = s.word(); s.ws();' : `const k = s.until(${q(p.separator)});`);
      w.write('switch (k) ').block(() => {
        namedCases(w, p.fields);
        w.write('default: ').block(() => {
          w.writeLine('if (extra === undefined) extra = Object.create(null) as Record<string, string>;');
          w.writeLine('if (Object.prototype.hasOwnProperty.call(extra, k)) s.duplicate(k);');
          w.writeLine('extra[k] = s.peek();');
          w.writeLine('s.word();');
        });
      });
    });
    for (const f of p.fields) {
      if (!f.optional) w.writeLine(`if (v_${f.name} === undefined) s.missing(${q(`${f.raw}${p.separator}…`)});`);
    }
  };

  /** Record types whose objects are made by a constructor (see objectOf), with the field order of their parameters. */
  const builders: { name: string; type: string; fields: string[]; optional: string[] }[] = [];

  /**
   * Writes `const o` = an object of `type` holding the fields `req` (name,
   * expression) and those of `opt` and `catchAll` whose value is not
   * undefined (absent fields stay absent). With no optional field it is a
   * literal, and the catch-alls (extra, extraTokens: text the spec does not
   * describe, seldom there) are added to it. Otherwise a constructor of the
   * file makes it: the keys of a literal are all V8 keeps inside the object,
   * and each optional key added to it after would land in a property array
   * grown (and copied) a few keys at a time; a constructor's objects get
   * room inside for every key it may set.
   */
  const objectOf = (w: CodeBlockWriter, type: string, req: [string, string][], opt: [string, string][], catchAll: [string, string][]): void => {
    if (opt.length === 0) {
      w.writeLine(`const o: ${type} = { ${req.map(([n, e]) => `${n}: ${e}`).join(', ')} };`);
      for (const [n, e] of catchAll) w.writeLine(`if (${e} !== undefined) o.${n} = ${e};`);
      return;
    }
    opt = [...opt, ...catchAll];
    const fields = req.map(([n]) => n);
    const optional = opt.map(([n]) => n);
    const key = (b: { type: string; fields: string[]; optional: string[] }): string => `${b.type}|${b.fields.join()}|${b.optional.join()}`;
    let b = builders.find((x) => key(x) === key({ type, fields, optional }));
    if (!b) {
      const base = /^(?:Omit<)?(\w+)/.exec(type)![1]!;
      const taken = builders.filter((x) => x.name.startsWith(`${base}Object`)).length;
      b = { name: `${base}Object${taken === 0 ? '' : taken}`, type, fields, optional };
      builders.push(b);
    }
    w.writeLine(`const o = new ${b.name}New(${[...req, ...opt].map(([, e]) => e).join(', ')});`);
  };

  const recordObject = (w: CodeBlockWriter, r: RecordModel, type: string, lead: [string, string][], more: [string, string][]): void => {
    const req: [string, string][] = [...lead];
    const opt: [string, string][] = [];
    for (const t of r.tokens) {
      if (t.kind !== 'field') continue;
      const list = t.field.optional ? opt : req;
      list.push([t.field.name, `v_${t.field.name}`]);
      if (t.field.value.kind === 'inet' && !t.repeat) list.push([`${t.field.name}Raw`, `v_${t.field.name}Raw`]);
    }
    for (const f of [...(r.pairs?.fields ?? []), ...(r.columns?.fields ?? [])]) (f.optional ? opt : req).push([f.name, `v_${f.name}`]);
    objectOf(w, type, req, opt, more);
  };

  interface RecordOptions {
    /** A field the caller fills in (an indexed record's index, a table header's rows). */
    omit?: string[];
    /** The variant name the record's `kind` holds. */
    kind?: string;
    /** The type of the table header that `perColumn` tokens count on. */
    header?: string;
  }

  const record = (r: RecordModel, opts: RecordOptions = {}): string => {
    const existing = recordFn.get(r);
    if (existing) return existing;
    const name = `record${recordFn.size}`;
    recordFn.set(r, name);
    const full = shapes.recordType.get(r)!;
    const type = opts.omit === undefined ? full : `Omit<${full}, ${opts.omit.map(q).join(' | ')}>`;
    const perColumn = r.tokens.some((t) => t.kind === 'field' && t.perColumn !== undefined);
    const params = ['s: Scan', 'ctx: ParseContext'];
    if (r.columns) params.push('names: readonly string[]');
    if (perColumn) params.push(`h: ${opts.header}`);
    fns.push({
      name,
      params: params.join(', '),
      returnType: type,
      body: (w) => {
        recordLocals(w, r, full);
        tokens(w, r, full);
        pairs(w, r, full);
        columns(w, r);
        const tail = !r.closed && !r.pairs && !r.columns && !r.tokens.some((t) => t.kind === 'field' && ((t.repeat && t.endsAt === undefined) || t.rest));
        if (tail) w.writeLine('const extraTokens = s.more() ? s.restTokens() : undefined;');
        else w.writeLine('s.eol();');
        const lead: [string, string][] = opts.kind !== undefined ? [['kind', q(opts.kind)]] : [];
        if (r.columns?.others) lead.push([r.columns.others.name, 'others']);
        const more: [string, string][] = [];
        if (tail) more.push(['extraTokens', 'extraTokens']);
        if (r.pairs || (r.columns && !r.columns.others)) more.push(['extra', 'extra']);
        recordObject(w, r, type, lead, more);
        w.writeLine('return o;');
      },
    });
    return name;
  };

  /** Reads the line of values that follows a line of names with the same key. */
  const valuesLine = (w: CodeBlockWriter, sep: string): void => {
    w.writeLine('const names = s.restTokens();');
    w.writeLine('if (!s.nextLine(end)) s.missing(`the line of values after the names of "${key}"`);');
    w.writeLine(`if (s.key(${q(sep)}) !== key) { s.ts = s.ls; s.fail(\`a line of values for "\${key}"\`); }`);
  };

  /**
   * Key tables: a switch over many strings compares them one by one, so a
   * keyed layout with many keys looks the key up in a Map to a small integer
   * and switches on that (a jump table).
   */
  /** Key tables to declare; `bytes`: the layout matches keys by their bytes (Scan.keyIs). */
  const keyTables: { name: string; keys: string[]; bytes: boolean; numbers?: (LineNumber | undefined)[] }[] = [];
  const MAP_DISPATCH = 8;

  /** Whether the loop of the keyed layout being written reads plain number lines itself (Scan.keyedNumber), leaving the value in `fast`. */
  let fastRead = false;

  const keyedEntryCase = (w: CodeBlockWriter, e: KeyedEntry, sep: string, label?: number): void => {
    const v = `v_${e.field.name}`;
    w.write(label === undefined ? `case ${q(e.key)}: ` : `case ${label}: /* ${e.key.replace(/\*\//g, '* /')} */ `).block(() => {
      if (e.repeated) {
        // Each line of a repeated key adds one value.
        const item = `r${counter++}`;
        w.writeLine(`let ${item}: ${e.field.value.kind === 'record' ? shapes.recordType.get(e.field.value.record)! : e.field.value.kind === 'pair' ? shapes.pairType.get(e.field.value)! : scalarType(e.field.value)};`);
        w.writeLine('s.ws();');
        if (e.prefix !== undefined) w.writeLine(`s.lit(${q(e.prefix)}); s.sep(); s.ws();`);
        value(w, e.field.value, item, 'line', e.field.name);
        if (e.field.value.kind !== 'record') w.writeLine('s.eol();');
        w.writeLine(`${v}.push(${item});`);
        w.writeLine('break;');
        return;
      }
      if (e.field.value.kind === 'record' && e.field.value.record.columns) {
        // A key may come in several pairs of lines (IcmpMsg: 16 columns per pair); their columns join.
        valuesLine(w, sep);
        const read = `${record(e.field.value.record)}(s, ctx, names)`;
        w.writeLine(`${v} = ${v} === undefined ? ${read} : s.joinColumns(${v}, ${read});`);
        w.writeLine('break;');
        return;
      }
      w.writeLine(`if (${v} !== undefined) s.duplicate(key);`);
      const line = lineNumber(e);
      if (line !== undefined) {
        // An unsigned number alone on its line, with or without a unit suffix: one call (none when the loop read it already).
        const read = `s.${line.wide ? 'uLineW' : 'uLine'}(${line.factor}, ${q(line.suffix)}${line.optional ? ', true' : ''})`;
        w.writeLine(`${v} = ${fastRead ? `fast >= 0 ? ${line.wide ? 's.wide(fast)' : 'fast'} : ${read}` : read};`);
        w.writeLine('break;');
        return;
      }
      const val = e.field.value;
      w.writeLine(val.kind === 'string' && val.verbatim ? 's.oneSpace();' : 's.ws();');
      if (e.prefix !== undefined) w.writeLine(`s.lit(${q(e.prefix)}); s.sep(); s.ws();`);
      value(w, e.field.value, v, 'line', e.field.name);
      if (e.field.value.kind !== 'record') w.writeLine('s.eol();');
      w.writeLine('break;');
    });
  };

  /** Statements that try each variant in turn, from the same cursor; all failing throws the error that got furthest. */
  let usesVariants = false;
  const tryVariants = (w: CodeBlockWriter, calls: string[], use: (call: string) => string): void => {
    usesVariants = true;
    w.writeLine('const m = s.mark();');
    w.writeLine('let best: Miss | ProcfsError | undefined;');
    // Failures inside the attempts are expected: they throw a Miss, not an Error with a stack trace.
    w.writeLine('s.trying++;');
    w.write('try ').block(() => {
      for (const call of calls) {
        w.write('try ').block(() => w.writeLine(use(call)));
        w.write(' catch (err) ').block(() => {
          w.writeLine('best = Scan.furthest(best, err);');
          w.writeLine('s.reset(m);');
        });
      }
    });
    w.write(' finally ').block(() => w.writeLine('s.trying--;'));
    w.writeLine('throw s.final(best!);');
  };

  /** The pieces reader of a file that is one table or one list of blocks (runtime/pieces.ts): its functions' names and types. */
  let pieces: { layout: string; lead: number; cut: { fn: string; args: string }; head: string; rows: string; result: string; rowsUseHead: boolean } | undefined;
  /**
   * Functions of a top layout read in pieces: <layout>First (lead lines, then
   * records) and <layout>Rows (records into `out`; given the header record
   * `h` only when rows are read by its columns).
   */
  const piecesFns = (name: string, head: string, rows: string, rowsUseHead: boolean, firstBody: (w: CodeBlockWriter) => void, rowsBody: (w: CodeBlockWriter) => void): void => {
    fns.push({ name: `${name}First`, params: 's: Scan, ctx: ParseContext, end: number', returnType: `Piece<${head}, ${rows}>`, body: firstBody });
    fns.push({ name: `${name}Rows`, params: `s: Scan, ctx: ParseContext, end: number, out: ${rows}${rowsUseHead ? `, h: ${head}` : ''}`, returnType: 'void', body: rowsBody });
  };

  const layout = (l: LayoutModel, header?: RecordModel, kind?: string): string => {
    const existing = layoutFn.get(l);
    if (existing) return existing;
    const name = `layout${layoutFn.size}`;
    layoutFn.set(l, name);
    const type = shapes.layoutType.get(l)!;
    const fn: Fn = { name, params: 's: Scan, ctx: ParseContext, end: number', returnType: type, body: () => undefined };
    fns.push(fn);
    switch (l.kind) {
      case 'line':
        fn.body = (w) => {
          w.writeLine('void end;');
          w.writeLine(`return ${record(l.record)}(s, ctx);`);
        };
        break;
      case 'table': {
        const headerType = l.header ? `Omit<${type}, ${kind !== undefined ? '"rows" | "kind"' : '"rows"'}>` : undefined;
        const head = l.header ? record(l.header, { omit: kind !== undefined ? ['rows', 'kind'] : ['rows'] }) : undefined;
        const perColumn = (r: RecordModel): boolean => r.tokens.some((t) => t.kind === 'field' && t.perColumn !== undefined);
        const rowArgs = (r: RecordModel): string => (perColumn(r) ? 's, ctx, h' : 's, ctx');
        const rowRecords = 'record' in l.rows ? [l.rows.record] : l.rows.variants.map((v) => v.shape);
        const rows = 'record' in l.rows
          ? [record(l.rows.record, { header: headerType })]
          : l.rows.variants.map((v) => record(v.shape, { kind: v.name, header: headerType }));
        const rowType = l.header ? `${type}["rows"]` : type;
        const lead = (w: CodeBlockWriter): void => {
          if (head) {
            w.writeLine(`if (!s.nextLine(end)) s.missing(${q('the header line')});`);
            w.writeLine(`const h = ${head}(s, ctx);`);
          }
          for (let i = 0; i < l.skip; i++) w.writeLine(`if (!s.nextLine(end)) s.missing(${q(`header line ${i + (head ? 2 : 1)}`)});`);
        };
        const loop = (w: CodeBlockWriter): void => {
          w.write('while (s.nextLine(end)) ').block(() => {
            w.writeLine('if (s.blank()) continue;');
            if (rows.length === 1) w.writeLine(`out.push(${rows[0]}(${rowArgs(rowRecords[0]!)}));`);
            else tryVariants(w, rows.map((fnName, i) => `${fnName}(${rowArgs(rowRecords[i]!)})`), (call) => `out.push(${call}); continue;`);
          });
        };
        if (l === spec.layout) {
          // The whole file is this table: also readable in pieces (see runtime/pieces.ts).
          const result = l.header ? '{ ...p.h, rows: p.out }' : 'p.out';
          const rowsUseHead = rowRecords.some(perColumn);
          pieces = { layout: name, lead: (head ? 1 : 0) + l.skip, cut: { fn: 'lastLine', args: '' }, head: headerType ?? 'undefined', rows: rowType, result, rowsUseHead };
          fn.body = (w) => {
            w.writeLine(`const p = ${name}First(s, ctx, end);`);
            w.writeLine(`return ${result};`);
          };
          piecesFns(name, headerType ?? 'undefined', rowType, rowsUseHead, (w) => {
            lead(w);
            w.writeLine(`const out: ${rowType} = [];`);
            w.writeLine(`${name}Rows(s, ctx, end, out${rowsUseHead ? ', h' : ''});`);
            w.writeLine(`return { h: ${head ? 'h' : 'undefined'}, out };`);
          }, loop);
          break;
        }
        fn.body = (w) => {
          w.writeLine(`const out: ${rowType} = [];`);
          lead(w);
          loop(w);
          w.writeLine(l.header ? `return { ${kind !== undefined ? `kind: ${q(kind)}, ` : ''}...h, rows: out };` : 'return out;');
        };
        break;
      }
      case 'variants': {
        const bodies = l.variants.map((v) => layout(v.shape, header, v.name));
        fn.body = (w) => tryVariants(w, bodies, (fnName) => `return ${fnName}(s, ctx, end);`);
        break;
      }
      case 'items':
        fn.body = (w) => {
          // Made at the number of items (cmdline's arguments), as the lists of a token are.
          listStart(w, 'out', `${type}[number]`, `s.itemsLeft(end, ${q(l.separator)})`);
          w.writeLine(`let item: ${type}[number];`);
          w.write(`while (s.nextItem(end, ${q(l.separator)})) `).block(() => {
            const v = l.item.value;
            if (v.kind === 'pair') {
              w.writeLine(`const [a, b] = s.splitItem(${q(v.separator)});`);
              if (!v.second.optional) w.writeLine(`if (b === undefined) { s.ts = s.ls; s.fail(${q(`an item with "${v.separator}"`)}); }`);
              const esc = (f: typeof v.first, x: string): string => (f.value.kind === 'string' && f.value.escaped ? unescaped(x) : x);
              const fields = [`${v.first.name}: ${esc(v.first, 'a')}`];
              if (v.second.optional) {
                w.writeLine(`item = { ${fields.join(', ')} };`);
                w.writeLine(`if (b !== undefined) item.${v.second.name} = ${esc(v.second, 'b')};`);
              } else {
                w.writeLine(`item = { ${fields.join(', ')}, ${v.second.name}: ${esc(v.second, 'b')} };`);
              }
            } else {
              value(w, v, 'item', v.kind === 'string' ? 'item' : 'token', l.item.name);
              w.writeLine('s.eol();');
            }
            listAdd(w, 'out', 'item');
          });
          listEnd(w, 'out');
          w.writeLine('return out;');
        };
        break;
      case 'blocks': {
        const body = layout(l.body, l.header);
        const first = l.header?.tokens[0];
        // How a block's first line is told: after a blank line, by a number and its terminator (smaps' address range), or by a start word.
        const v = first?.kind === 'field' ? first.field.value : undefined;
        const like = 'header' in l.split && first?.kind === 'field' ? { cls: (v?.kind === 'u64' || v?.kind === 'integer') && v.hex ? 'hex' : 'dec', terminator: first.terminator! } : undefined;
        const start = 'blank' in l.split || like ? undefined : 'start' in l.split ? l.split.start : (first as { text: string }).text;
        const loop = (w: CodeBlockWriter): void => {
          w.write('while (s.nextLine(end)) ').block(() => {
            w.writeLine('if (s.blank()) continue;');
            if (like) {
              w.writeLine(`if (!s.lineLike(${q(like.cls)}, ${q(like.terminator)})) { s.ws(); s.ts = s.pos; s.fail(${q('a header line')}); }`);
              w.writeLine(`const e = s.blockEndLike(end, ${q(like.cls)}, ${q(like.terminator)});`);
            } else if (start !== undefined) {
              w.writeLine(`if (!s.lineStartsWith(${q(start)})) { s.ws(); s.ts = s.pos; s.fail(${q(`a line starting with "${start}"`)}); }`);
              w.writeLine(`const e = s.blockEndStart(end, ${q(start)});`);
            } else {
              w.writeLine('const e = s.blockEndBlank(end);');
            }
            w.writeLine('s.again();');
            w.writeLine(`out.push(${body}(s, ctx, e));`);
          });
        };
        const cut = like ? { fn: 'lastLike', args: `, ${q(like.cls)}, ${q(like.terminator)}` } : start !== undefined ? { fn: 'lastStarting', args: `, ${q(start)}` } : { fn: 'lastAfterBlank', args: '' };
        if (l === spec.layout) {
          // The whole file is these blocks: also readable in pieces (see runtime/pieces.ts).
          pieces = { layout: name, lead: 0, cut, head: 'undefined', rows: type, result: 'p.out', rowsUseHead: false };
          fn.body = (w) => w.writeLine(`return ${name}First(s, ctx, end).out;`);
          piecesFns(name, 'undefined', type, false, (w) => {
            w.writeLine(`const out: ${type} = [];`);
            w.writeLine(`${name}Rows(s, ctx, end, out);`);
            w.writeLine('return { h: undefined, out };');
          }, loop);
          break;
        }
        fn.body = (w) => {
          w.writeLine(`const out: ${type} = [];`);
          loop(w);
          w.writeLine('return out;');
        };
        break;
      }
      case 'keyed': {
        const sections = l.entries.filter((e) => e.section && !e.indexed);
        const indexed = l.entries.filter((e) => e.indexed);
        const plain = l.entries.filter((e) => !e.section && !e.indexed);
        const sectionFns = new Map(sections.map((e) => [e, layout(e.section!.layout)]));
        for (const e of plain) if (e.field.value.kind === 'record') record(e.field.value.record);
        for (const e of indexed) {
          if (e.field.value.kind === 'record') record(e.field.value.record, { omit: e.section?.name !== undefined ? [e.indexed!.name, e.section.name] : [e.indexed!.name] });
        }
        const indexedSectionFns = new Map(indexed.filter((e) => e.section).map((e) => [e, layout(e.section!.layout)]));
        const head = l.header ?? header;
        /** One line of the keyed loop; `fast`: the expected key's plain number line is tried first, in one pass. */
        const loopBody = (w: CodeBlockWriter, fast: boolean): void => {
          const open = (): void => {
            if (fast) w.writeLine('if (!s.nextLine(end)) break;');
            w.writeLine('if (s.blank()) continue;');
          };
          if (!fast) open();
          if (sections.length > 0) {
            w.writeLine('const whole = s.trimmedLine();');
            for (const e of sections) {
              w.write(`if (whole === ${q(e.key)}) `).block(() => {
                w.writeLine(`if (v_${e.field.name} !== undefined) s.duplicate(whole);`);
                w.writeLine(`const e = s.sectionEnd(end, ${q(l.separator)}, new Set(${JSON.stringify(e.section!.until)}));`);
                w.writeLine(`v_${e.field.name} = ${sectionFns.get(e)}(s, ctx, e);`);
                w.writeLine('continue;');
              });
            }
          }
          // Files print their keys in a fixed order: try the key after the last one matched, then the one after it
          // (a key this kernel does not print), before cutting the key out and looking it up.
          const sepCode = l.separator === 'colon' ? 58 : l.separator === 'space' ? 32 : undefined;
          const table = plain.length >= MAP_DISPATCH ? `KEYS${keyTables.length}` : undefined;
          if (table) keyTables.push({ name: table, keys: plain.map((e) => e.key), bytes: sepCode !== undefined, numbers: fast ? plain.map((e) => lineNumber(e)) : undefined });
          if (table && sepCode !== undefined) {
            w.writeLine('let k: number | undefined;');
            w.writeLine('let key: string;');
            const match = (): void => {
              w.write(`if (next < ${plain.length} && s.keyIs(${table}_BYTES[next]!, ${sepCode})) `).block(() => {
                w.writeLine('k = next;');
                w.writeLine(`key = ${table}_ORDER[next]!;`);
              });
              w.write(`else if (next + 1 < ${plain.length} && s.keyIs(${table}_BYTES[next + 1]!, ${sepCode})) `).block(() => {
                w.writeLine('k = next + 1;');
                w.writeLine(`key = ${table}_ORDER[next + 1]!;`);
              });
              w.write('else ').block(() => {
                w.writeLine(`key = s.key(${q(l.separator)});`);
                w.writeLine(`k = ${table}.get(key);`);
              });
            };
            if (fast) {
              w.write(`if (next < ${plain.length} && (fast = s.keyedNumber(end, ${table}_BYTES[next]!, ${sepCode}, ${table}_FACTOR[next]!, ${table}_SUFFIX[next]!)) >= 0) `).block(() => {
                w.writeLine('k = next;');
                w.writeLine(`key = ${table}_ORDER[next]!;`);
              });
              w.write('else ').block(() => {
                open();
                match();
              });
            } else match();
            w.writeLine('if (k !== undefined) next = k + 1;');
          } else w.writeLine(`const key = s.key(${q(l.separator)});`);
          w.write(table ? (sepCode !== undefined ? 'switch (k) ' : `switch (${table}.get(key)) `) : 'switch (key) ').block(() => {
            plain.forEach((e, i) => keyedEntryCase(w, e, l.separator, table ? i : undefined));
            w.write('default: ').block(() => {
              for (const e of indexed) {
                w.write(`if (Scan.indexed(key, ${q(e.key)})) `).block(() => {
                  w.writeLine(`const index = s.index(key, ${q(e.key)});`);
                  const read = `${record((e.field.value as { record: RecordModel }).record)}(s, ctx)`;
                  if (e.section) {
                    // The lines after this one, up to the next line of the same key, are its section.
                    w.writeLine(`const r = ${read};`);
                    w.writeLine(`const e = s.sectionEnd(end, ${q(l.separator)}, new Set(${JSON.stringify(e.section.until)}), ${q(e.key)});`);
                    w.writeLine(`v_${e.field.name}.push({ ${e.indexed!.name}: index, ...r, ${e.section.name}: ${indexedSectionFns.get(e)}(s, ctx, e) });`);
                  } else {
                    w.writeLine(`v_${e.field.name}.push({ ${e.indexed!.name}: index, ...${read} });`);
                  }
                  w.writeLine('break;');
                });
              }
              const headed = l.entries.some((e) => e.field.value.kind === 'record' && e.field.value.record.columns);
              if (headed && l.extra) {
                w.writeLine('if (extra === undefined) extra = Object.create(null) as Record<string, Record<string, N | string>>;');
                w.writeLine('if (Object.prototype.hasOwnProperty.call(extra, key)) s.duplicate(key);');
                valuesLine(w, l.separator);
                w.writeLine('extra[key] = s.extraColumns(names);');
              } else if (l.others) {
                w.writeLine('if (Object.prototype.hasOwnProperty.call(others, key)) s.duplicate(key);');
                w.writeLine('others[key] = s.extraValue();');
              } else if (l.extra) {
                w.writeLine('if (extra === undefined) extra = Object.create(null) as Record<string, N | string>;');
                w.writeLine('if (Object.prototype.hasOwnProperty.call(extra, key)) s.duplicate(key);');
                w.writeLine('extra[key] = s.extraValue();');
              } else {
                w.writeLine(`s.ts = s.ls; s.fail(${q(`one of the keys ${l.entries.map((e) => e.key).join(', ')}`)});`);
              }
            });
          });
                  };
        fn.body = (w) => {
          if (head) {
            recordLocals(w, head, type);
            w.writeLine(`if (!s.nextLine(end)) s.missing(${q('a header line')});`);
            tokens(w, head, type);
            w.writeLine('s.eol();');
          }
          for (let i = 0; i < (l.skip ?? 0); i++) w.writeLine(`if (!s.nextLine(end)) s.missing(${q(`line ${i + (head ? 2 : 1)}`)});`);
          for (const e of l.entries) {
            if (e.indexed || e.repeated) {
              w.writeLine(`const v_${e.field.name}: ${fieldType(e.field, type)} = [];`);
            } else {
              w.writeLine(`let v_${e.field.name}: ${fieldType(e.field, type)} | undefined;`);
            }
          }
          if (l.others) w.writeLine('const others = Object.create(null) as Record<string, N | string>;');
          else if (l.extra && l.entries.some((e) => e.field.value.kind === 'record' && e.field.value.record.columns)) {
            w.writeLine('let extra: Record<string, Record<string, N | string>> | undefined;');
          } else if (l.extra) w.writeLine('let extra: Record<string, N | string> | undefined;');
          if (plain.length >= MAP_DISPATCH && (l.separator === 'colon' || l.separator === 'space')) w.writeLine('let next = 0;');
          // Keys in a table matched by their bytes, no section lines, and some keys whose value is a plain number:
          // the loop tries the expected key's whole line in one pass (no search for the newline first).
          const fastKeys = plain.length >= MAP_DISPATCH && (l.separator === 'colon' || l.separator === 'space') && sections.length === 0 && plain.some((e) => lineNumber(e)?.constant);
          fastRead = fastKeys;
          if (fastKeys) {
            w.writeLine('let fast = -1;');
            w.write('for (;;) ').block(() => {
              w.writeLine('fast = -1;');
              loopBody(w, true);
            });
          } else {
            w.write('while (s.nextLine(end)) ').block(() => loopBody(w, false));
          }
          fastRead = false;
          const required = l.entries.filter((e) => !e.field.optional && !e.indexed && !e.repeated);
          for (const e of required) w.writeLine(`if (v_${e.field.name} === undefined) s.missing(${q(`the key "${e.key}"`)});`);
          const req: string[] = [];
          const opt: string[] = [];
          if (head) for (const t of head.tokens) if (t.kind === 'field') (t.field.optional ? opt : req).push(t.field.name);
          for (const e of l.entries) (e.field.optional && !e.indexed && !e.repeated ? opt : req).push(e.field.name);
          const init: [string, string][] = [...(kind !== undefined ? [['kind', q(kind)] as [string, string]] : []), ...req.map((n): [string, string] => [n, `v_${n}`])];
          if (l.others) init.push([l.others.name, 'others']);
          objectOf(
            w,
            type,
            init,
            opt.map((n): [string, string] => [n, `v_${n}`]),
            !l.others && l.extra ? [['extra', 'extra']] : [],
          );
          w.writeLine('return o;');
        };
        break;
      }
    }
    return name;
  };

  const top = layout(spec.layout);
  const typeNames = new Set<string>([...shapes.list.map((s) => s.name), ...shapes.aliases.map((a) => a.name)]);
  file.addImportDeclaration({ moduleSpecifier: '../'.repeat(spec.id.split('/').length) + '../runtime/scan.js', namedImports: ['Scan'] });
  file.addImportDeclaration({
    moduleSpecifier: '../'.repeat(spec.id.split('/').length) + '../runtime/context.js',
    namedImports: ['contextOf'],
  });
  file.addImportDeclaration({
    moduleSpecifier: '../'.repeat(spec.id.split('/').length) + '../runtime/context.js',
    isTypeOnly: true,
    namedImports: ['ParseContext', 'ParseOptions'],
  });
  // A type with wide integers is imported as <Name>Of and used here as <Name>Of<number | bigint>: the code reads either.
  const generic = shapes.generic;
  const of = (name: string): string => (generic.has(name) ? `${name}Of` : name);
  file.addImportDeclaration({
    moduleSpecifier: typesModule,
    isTypeOnly: true,
    namedImports: [...typeNames].sort().map((n) => (generic.has(n) ? { name: n, alias: of(n) } : n)),
  });
  if (generic.size > 0) {
    file.addTypeAlias({ name: 'N', type: 'number | bigint', docs: ['A wide integer as the code reads it: a number, or with `bigint: true` a bigint.'] });
    for (const n of [...generic].sort()) file.addTypeAlias({ name: n, type: `${of(n)}<N>` });
  }
  const text = { name: 'text', type: 'string | Uint8Array' };
  /** Signatures by mode: the default gives numbers, `bigint: true` bigints, an option not known when compiled either. */
  const overloads = (params: { name: string; type: string }[], result: (n: string) => string, doc: string): { docs: string[]; parameters: { name: string; type: string; hasQuestionToken?: boolean }[]; returnType: string }[] =>
    generic.size === 0 ? [] : [
      { docs: [doc], parameters: [...params, { name: 'options', type: 'ParseOptions & { bigint?: false }', hasQuestionToken: true }], returnType: result('number') },
      { docs: [doc], parameters: [...params, { name: 'options', type: 'ParseOptions & { bigint: true }' }], returnType: result('bigint') },
      { docs: [doc], parameters: [...params, { name: 'options', type: 'ParseOptions', hasQuestionToken: true }], returnType: result('number | bigint') },
    ];
  const parseDoc = `Parses the text of ${spec.paths[0]} (spec ${spec.id}). Throws ProcfsError with code "parse" when the text does not fit the spec.${generic.size > 0 ? ' With `bigint: true` its wide integers (counters and sizes) are bigints.' : ''}`;
  const typeIn = (t: string, n: string): string => (generic.has(t) ? `${of(t)}<${n}>` : t);
  file.addFunction({
    isExported: true,
    name: spec.parseName,
    docs: [parseDoc],
    overloads: overloads([text], (n) => typeIn(spec.typeName, n), parseDoc),
    parameters: [text, { name: 'options', type: 'ParseOptions', hasQuestionToken: true }],
    returnType: spec.typeName,
    statements: (w) => {
      w.writeLine('const ctx: ParseContext = contextOf(options);');
      w.writeLine(`const s: Scan = new Scan(text, ctx.file, ${q(spec.id)}, options?.bigint === true);`);
      if (spec.layout.kind === 'line') w.writeLine('s.wholeLine();');
      w.writeLine(`return ${top}(s, ctx, s.end);`);
    },
  });
  if (pieces) {
    const p = pieces;
    file.addImportDeclaration({ moduleSpecifier: '../'.repeat(spec.id.split('/').length) + '../runtime/pieces.js', namedImports: [p.cut.fn] });
    file.addImportDeclaration({ moduleSpecifier: '../'.repeat(spec.id.split('/').length) + '../runtime/pieces.js', isTypeOnly: true, namedImports: ['Piece', 'Pieces'] });
    file.addVariableStatement({
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [`Reads the text of ${spec.paths[0]} a piece at a time, each piece ending where a record begins, with ${spec.parseName}'s result (see runtime/pieces.ts).`],
      declarations: [
        {
          name: piecesNameOf(spec),
          type: `Pieces<${spec.typeName}, Piece<${p.head}, ${p.rows}>>`,
          initializer: (w) =>
            w.block(() => {
              w.writeLine(`lead: ${p.lead},`);
              w.writeLine(`cut: (b, from, to) => ${p.cut.fn}(b, from, to${p.cut.args}),`);
              w.writeLine(`first: (s, ctx) => ${p.layout}First(s, ctx, s.end),`);
              w.writeLine(`next: (s, ctx, p) => ${p.layout}Rows(s, ctx, s.end, p.out${p.rowsUseHead ? ', p.h' : ''}),`);
              w.writeLine(`done: (p) => ${p.result.startsWith('{') ? `(${p.result})` : p.result},`);
            }),
        },
      ],
    });
  }
  if (hasPick(spec) && spec.layout.kind === 'line') {
    // A pick: the same reading, keeping only the fields asked for (pid/stat for a process table needs a third of them).
    const r = spec.layout.record;
    const type = shapes.recordType.get(r)!;
    const fieldTokens = r.tokens.filter((t): t is Extract<TokenModel, { kind: 'field' }> => t.kind === 'field');
    const pickName = pickNameOf(spec);
    const pickDoc = `Reads the text of ${spec.paths[0]} as ${spec.parseName} does, but returns only \`fields\`: the others before the last of them are stepped over, not converted, and the text after it is not read. Pass the same array each time: its field numbers are computed once.`;
    file.addVariableStatement({
      declarationKind: VariableDeclarationKind.Const,
      docs: [`Token number of each field, for ${pickName}.`],
      declarations: [{ name: 'FIELD_INDEX', initializer: `new Map<string, number>([${fieldTokens.map((t, i) => `[${q(t.field.name)}, ${i}]`).join(', ')}])` }],
    });
    file.addVariableStatement({
      declarationKind: VariableDeclarationKind.Const,
      docs: [`Which tokens ${pickName} may step over in runs (see Scan.want).`],
      declarations: [{ name: 'PLAIN_TOKENS', initializer: `[${plainTokens(r).join(', ')}]` }],
    });
    file.addFunction({
      isExported: true,
      name: pickName,
      overloads: overloads([text, { name: 'fields', type: 'readonly K[]' }], (n) => `Pick<${typeIn(type, n)}, K>`, pickDoc).map((o) => ({ ...o, typeParameters: [{ name: 'K', constraint: `keyof ${type}` }] })),
      typeParameters: [{ name: 'K', constraint: `keyof ${type}` }],
      docs: [pickDoc],
      parameters: [
        { name: 'text', type: 'string | Uint8Array' },
        { name: 'fields', type: 'readonly K[]' },
        { name: 'options', type: 'ParseOptions', hasQuestionToken: true },
      ],
      returnType: `Pick<${type}, K>`,
      statements: (w) => {
        w.writeLine('const want = Scan.want(fields, FIELD_INDEX, PLAIN_TOKENS);');
        w.writeLine('const ctx: ParseContext = contextOf(options);');
        w.writeLine(`const s: Scan = new Scan(text, ctx.file, ${q(spec.id)}, options?.bigint === true);`);
        w.writeLine('s.wholeLine();');
        recordLocals(w, r, type, true);
        w.write('tokens: ').block(() => tokens(w, r, type, true));
        w.writeLine('const o = {} as Record<string, unknown>;');
        fieldTokens.forEach((t, i) => w.writeLine(`if (want[${i}] === 1 && v_${t.field.name} !== undefined) o.${t.field.name} = v_${t.field.name};`));
        w.writeLine(`return o as Pick<${type}, K>;`);
      },
    });
  }
  for (const f of fns) {
    file.addFunction({
      name: f.name,
      parameters: f.params.split(', ').map((p) => {
        const [n, t] = p.split(': ');
        return { name: n!, type: t! };
      }),
      returnType: f.returnType,
      statements: f.body,
    });
  }
  // Filled in while the bodies are written, so declared after them (read only when a parser runs).
  for (const b of builders) {
    const all = [...b.fields, ...b.optional];
    file.addFunction({
      name: b.name,
      docs: [`The constructor behind ${b.name}New.`],
      parameters: [{ name: 'this', type: b.type }, ...all.map((n) => ({ name: `v_${n}`, type: `${b.type}[${q(n)}]` }))],
      returnType: 'void',
      statements: (w) => {
        for (const n of b.fields) w.writeLine(`this.${n} = v_${n};`);
        for (const n of b.optional) w.writeLine(`if (v_${n} !== undefined) this.${n} = v_${n};`);
      },
    });
    file.addStatements(`${b.name}.prototype = Object.prototype;`);
    file.addVariableStatement({
      declarationKind: VariableDeclarationKind.Const,
      docs: [
        `Makes a plain ${b.type} (prototype Object.prototype) without the optional fields that are undefined: a constructor, so that V8 keeps every field inside the object.`,
      ],
      declarations: [{ name: `${b.name}New`, initializer: `${b.name} as unknown as new (...values: Parameters<typeof ${b.name}>) => ${b.type}` }],
    });
  }
  for (const t of keyTables) {
    file.addVariableStatement({
      declarationKind: VariableDeclarationKind.Const,
      docs: ['Keys of a keyed layout in the order files print them.'],
      declarations: [{ name: `${t.name}_ORDER`, initializer: `[${t.keys.map((k) => q(k)).join(', ')}]` }],
    });
    file.addVariableStatement({
      declarationKind: VariableDeclarationKind.Const,
      docs: ['The same keys numbered, for the switch that reads their values.'],
      declarations: [{ name: t.name, initializer: `new Map<string, number>(${t.name}_ORDER.map((k, i) => [k, i]))` }],
    });
    if (t.bytes) {
      file.addVariableStatement({
        declarationKind: VariableDeclarationKind.Const,
        docs: ['Their bytes, for Scan.keyIs.'],
        declarations: [{ name: `${t.name}_BYTES`, initializer: `Scan.keyBytes(${t.name}_ORDER)` }],
      });
    }
    if (t.numbers) {
      const factors = t.numbers.map((n) => (n?.constant && !n.optional ? n.factor : '0'));
      file.addVariableStatement({
        declarationKind: VariableDeclarationKind.Const,
        docs: ['For each key whose value is an unsigned number alone on its line: the factor to bytes (0: another kind of value), for Scan.keyedNumber.'],
        declarations: [{ name: `${t.name}_FACTOR`, initializer: `[${factors.join(', ')}]` }],
      });
      file.addVariableStatement({
        declarationKind: VariableDeclarationKind.Const,
        docs: ['And the unit printed after it (empty: none).'],
        declarations: [{ name: `${t.name}_SUFFIX`, initializer: `[${t.numbers.map((n) => q(n?.suffix ?? '')).join(', ')}]` }],
      });
    }
  }
  // Known only once the bodies are written; ts-morph puts it after the other imports.
  if (usesVariants) {
    file.addImportDeclaration({
      moduleSpecifier: '../'.repeat(spec.id.split('/').length) + '../runtime/errors.js',
      isTypeOnly: true,
      namedImports: ['ProcfsError'],
    });
    file.addImportDeclaration({
      moduleSpecifier: '../'.repeat(spec.id.split('/').length) + '../runtime/scan.js',
      isTypeOnly: true,
      namedImports: ['Miss'],
    });
  }
}
