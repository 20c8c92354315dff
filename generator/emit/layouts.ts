/**
 * Prints the bodies of layout functions: tables, blocks, items, variants
 * and keyed layouts.
 */
import type { CodeBlockWriter } from 'ts-morph';
import type { Body, EntryCase, ItemsBody, KeyedBody, RowsLoop, TableLead, TreeBody, Variants } from '../plan/ir.js';
import { args, listAdd, listEnd, listStart, q, type Names } from './code.js';
import { printLocals, printObject, printRecord, printTokens } from './records.js';
import { printValue } from './values.js';

export function printBody(w: CodeBlockWriter, names: Names, b: Body): void {
  switch (b.kind) {
    case 'record':
      printRecord(w, names, b);
      return;
    case 'line':
      w.writeLine('void end;');
      w.writeLine(`return ${b.record}(s, ctx);`);
      return;
    case 'variants':
      printVariants(w, b.variants);
      return;
    case 'table':
      w.writeLine(`const out: ${b.rowType} = [];`);
      printLead(w, b.lead);
      printRows(w, b.loop);
      w.writeLine(b.header ? `return { ${b.header.kind !== undefined ? `kind: ${q(b.header.kind)}, ` : ''}...h, rows: out };` : 'return out;');
      return;
    case 'tableWhole':
      w.writeLine(`const p = ${b.layout}First(s, ctx, end);`);
      w.writeLine(`return ${b.result};`);
      return;
    case 'tableFirst':
      printLead(w, b.lead);
      w.writeLine(`const out: ${b.rowType} = [];`);
      w.writeLine(`${b.layout}Rows(s, ctx, end, out${b.rowsUseHead ? ', h' : ''});`);
      w.writeLine(`return { h: ${b.lead.head ? 'h' : 'undefined'}, out };`);
      return;
    case 'rows':
      printRows(w, b.loop);
      return;
    case 'items':
      printItems(w, names, b);
      return;
    case 'blocks':
      w.writeLine(`const out: ${b.type} = [];`);
      printRows(w, b.loop);
      w.writeLine('return out;');
      return;
    case 'blocksWhole':
      w.writeLine(`return ${b.layout}First(s, ctx, end).out;`);
      return;
    case 'blocksFirst':
      w.writeLine(`const out: ${b.type} = [];`);
      w.writeLine(`${b.layout}Rows(s, ctx, end, out);`);
      w.writeLine('return { h: undefined, out };');
      return;
    case 'keyed':
      printKeyed(w, names, b);
      return;
    case 'tree':
      printTree(w, b);
      return;
  }
}

/** Rows of a tree: each line's depth from its indentation, then its row, pushed under the nearest shallower line. */
function printTree(w: CodeBlockWriter, b: TreeBody): void {
  w.writeLine(`const out: ${b.type} = [];`);
  // The nodes from a root down to the line before: a line at depth d is a child of above[d - 1].
  w.writeLine(`const above: ${b.type} = [];`);
  w.write('while (s.nextLine(end)) ').block(() => {
    w.writeLine('if (s.blank()) continue;');
    w.writeLine(`const d = s.treeDepth(${b.indent}, ${b.first}, above.length);`);
    w.writeLine(`const n = ${b.row} as ${b.nodeType};`);
    w.writeLine('n.depth = d;');
    w.writeLine('n.children = [];');
    w.writeLine('above.length = d;');
    w.writeLine('(d === 0 ? out : above[d - 1]!.children).push(n);');
    w.writeLine('above.push(n);');
  });
  w.writeLine('return out;');
}

/** Statements that try each variant in turn, from the same cursor; all failing throws the error that got furthest. */
function printVariants(w: CodeBlockWriter, v: Variants): void {
  w.writeLine('const m = s.mark();');
  w.writeLine('let best: Miss | ProcfsError | undefined;');
  // Failures inside the attempts are expected: they throw a Miss, not an Error with a stack trace.
  w.writeLine('s.trying++;');
  // inlineBlock: no line break after the brace, so that catch and finally follow it on its line.
  w.write('try ').inlineBlock(() => {
    for (const c of v.calls) {
      w.write('try ').inlineBlock(() => w.writeLine(v.use === 'push' ? `out.push(${c}); continue;` : `return ${c};`));
      w.write(' catch (err) ').block(() => {
        w.writeLine('best = Scan.furthest(best, err);');
        w.writeLine('s.reset(m);');
      });
    }
  });
  w.write(' finally ').block(() => w.writeLine('s.trying--;'));
  w.writeLine('throw s.final(best!);');
}

function printLead(w: CodeBlockWriter, lead: TableLead): void {
  if (lead.head) {
    w.writeLine(`if (!s.nextLine(end)) s.missing(${q('the header line')});`);
    w.writeLine(`const h = ${lead.head}(s, ctx);`);
  }
  for (const n of lead.skip) w.writeLine(`if (!s.nextLine(end)) s.missing(${q(`header line ${n}`)});`);
}

function printRows(w: CodeBlockWriter, loop: RowsLoop): void {
  w.write('while (s.nextLine(end)) ').block(() => {
    w.writeLine('if (s.blank()) continue;');
    if (loop.kind === 'table') {
      if (loop.rows.length === 1) w.writeLine(`out.push(${loop.rows[0]!.call});`);
      else printVariants(w, { calls: loop.rows.map((r) => r.call), use: 'push' });
      return;
    }
    const st = loop.start;
    if (st.kind === 'like') {
      w.writeLine(`if (!s.lineLike(${q(st.cls)}, ${q(st.terminator)})) { s.ws(); s.ts = s.pos; s.fail(${q('a header line')}); }`);
      w.writeLine(`const e = s.blockEndLike(end, ${q(st.cls)}, ${q(st.terminator)});`);
    } else if (st.kind === 'start') {
      w.writeLine(`if (!s.lineStartsWith(${q(st.word)})) { s.ws(); s.ts = s.pos; s.fail(${q(`a line starting with "${st.word}"`)}); }`);
      w.writeLine(`const e = s.blockEndStart(end, ${q(st.word)});`);
    } else {
      w.writeLine('const e = s.blockEndBlank(end);');
    }
    w.writeLine('s.again();');
    w.writeLine(`out.push(${loop.body}(s, ctx, e));`);
  });
}

function printItems(w: CodeBlockWriter, names: Names, b: ItemsBody): void {
  // Made at the number of items (cmdline's arguments), as the lists of a token are.
  listStart(w, 'out', `${b.type}[number]`, `s.itemsLeft(end, ${q(b.separator)})`);
  w.writeLine(`let item: ${b.type}[number];`);
  w.write(`while (s.nextItem(end, ${q(b.separator)})) `).block(() => {
    const v = b.item;
    if (v.kind === 'pair') {
      // The separator's index, and each part cut out once: no array of the two parts, and each object made whole in one literal (one hidden class, no property added later).
      w.writeLine(`const k = s.itemSep(${q(v.separator)});`);
      if (v.required) w.writeLine(`if (k < 0) { s.ts = s.ls; s.fail(${q(`an item with "${v.separator}"`)}); }`);
      const esc = (escaped: boolean, x: string): string => (escaped ? `Scan.unescape(${x})` : x);
      const pair = `{ ${v.first.name}: ${esc(v.first.escaped, 's.str(s.ls, k)')}, ${v.second.name}: ${esc(v.second.escaped, 's.str(k + 1, s.le)')} }`;
      if (v.optional) w.writeLine(`item = k < 0 ? { ${v.first.name}: ${esc(v.first.escaped, 's.str(s.ls, s.le)')} } : ${pair};`);
      else w.writeLine(`item = ${pair};`);
    } else {
      printValue(w, names, v.read, 'item');
      w.writeLine('s.eol();');
    }
    listAdd(w, 'out', 'item');
  });
  listEnd(w, 'out');
  w.writeLine('return out;');
}

/**
 * Reads the line of values that follows a line of names with the same key:
 * with a columns table, the names come from Scan.columns as `cols` (each
 * one's number in the table too), else as `names`.
 */
function valuesLine(w: CodeBlockWriter, sep: string, table?: string): void {
  w.writeLine(table === undefined ? 'const names = s.restTokens();' : `const cols = s.columns(${table});`);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal of the generated parser
  w.writeLine('if (!s.nextLine(end)) s.missing(`the line of values after the names of "${key}"`);');
  w.writeLine(`if (s.key(${q(sep)}) !== key) { s.ts = s.ls; s.fail(\`a line of values for "\${key}"\`); }`);
}

function printEntry(w: CodeBlockWriter, names: Names, e: EntryCase, sep: string): void {
  const v = e.local;
  const r = e.read;
  w.write(e.label === undefined ? `case ${q(e.key)}: ` : `case ${e.label}: /* ${e.key.replace(/\*\//g, '* /')} */ `).block(() => {
    switch (r.kind) {
      case 'repeated': {
        const item = names.next('r');
        w.writeLine(`let ${item}: ${r.itemType};`);
        w.writeLine('s.ws();');
        if (r.prefix !== undefined) w.writeLine(`s.lit(${q(r.prefix)}); s.sep(); s.ws();`);
        printValue(w, names, r.read, item);
        if (r.eol) w.writeLine('s.eol();');
        w.writeLine(`${v}.push(${item});`);
        break;
      }
      case 'columns': {
        valuesLine(w, sep, r.table);
        const read = `${r.record}(s, ctx, cols.names, cols.index)`;
        w.writeLine(`${v} = ${v} === undefined ? ${read} : s.joinColumns(${v}, ${read});`);
        break;
      }
      case 'number': {
        w.writeLine(`if (${v} !== undefined) s.duplicate(key);`);
        const n = r.number;
        const read = `s.${n.wide ? 'uLineW' : 'uLine'}(${args([{ code: n.factor }, n.suffix, ...(n.optional ? [true] : [])])})`;
        w.writeLine(`${v} = ${n.fromLoop ? `fast >= 0 ? ${n.wide ? 's.wide(fast)' : 'fast'} : ${read}` : read};`);
        break;
      }
      case 'value':
        w.writeLine(`if (${v} !== undefined) s.duplicate(key);`);
        w.writeLine(r.space === 'oneSpace' ? 's.oneSpace();' : 's.ws();');
        if (r.prefix !== undefined) w.writeLine(`s.lit(${q(r.prefix)}); s.sep(); s.ws();`);
        printValue(w, names, r.read, v);
        if (e.decode !== undefined) w.writeLine(e.decode);
        if (r.eol) w.writeLine('s.eol();');
        break;
    }
    w.writeLine('break;');
  });
}

/** One line of the keyed loop; `fast`: the expected key's plain number line is tried first, in one pass. */
function printKeyedLine(w: CodeBlockWriter, names: Names, k: KeyedBody): void {
  const d = k.dispatch;
  const fast = d.kind === 'bytes' && d.fast;
  const open = (): void => {
    if (fast) w.writeLine('if (!s.nextLine(end)) break;');
    w.writeLine('if (s.blank()) continue;');
  };
  if (!fast) open();
  if (k.sections.length > 0) {
    w.writeLine('const whole = s.trimmedLine();');
    for (const e of k.sections) {
      w.write(`if (whole === ${q(e.key)}) `).block(() => {
        w.writeLine(`if (${e.local} !== undefined) s.duplicate(whole);`);
        w.writeLine(`const e = s.sectionEnd(end, ${q(k.separator)}, new Set([${e.until.map((u) => JSON.stringify(u)).join(', ')}]));`);
        w.writeLine(`${e.local} = ${e.fn}(s, ctx, e);`);
        w.writeLine('continue;');
      });
    }
  }
  if (d.kind === 'bytes') {
    const t = d.table;
    w.writeLine('let k: number | undefined;');
    w.writeLine('let key: string;');
    const match = (): void => {
      w.write(`if (next < ${d.count} && s.keyIs(${t}_BYTES[next]!, ${d.sepCode})) `).block(() => {
        w.writeLine('k = next;');
        w.writeLine(`key = ${t}_ORDER[next]!;`);
      });
      w.write(`else if (next + 1 < ${d.count} && s.keyIs(${t}_BYTES[next + 1]!, ${d.sepCode})) `).block(() => {
        w.writeLine('k = next + 1;');
        w.writeLine(`key = ${t}_ORDER[next + 1]!;`);
      });
      w.write('else ').block(() => {
        w.writeLine(`key = s.key(${q(k.separator)});`);
        w.writeLine(`k = ${t}.get(key);`);
      });
    };
    if (fast) {
      w.write(`if (next < ${d.count} && (fast = s.keyedNumber(end, ${t}_BYTES[next]!, ${d.sepCode}, ${t}_FACTOR[next]!, ${t}_SUFFIX[next]!)) >= 0) `).block(
        () => {
          w.writeLine('k = next;');
          w.writeLine(`key = ${t}_ORDER[next]!;`);
        },
      );
      w.write('else ').block(() => {
        open();
        match();
      });
    } else match();
    w.writeLine('if (k !== undefined) next = k + 1;');
  } else w.writeLine(`const key = s.key(${q(k.separator)});`);
  w.write(d.kind === 'bytes' ? 'switch (k) ' : d.kind === 'map' ? `switch (${d.table}.get(key)) ` : 'switch (key) ').block(() => {
    for (const e of k.cases) printEntry(w, names, e, k.separator);
    w.write('default: ').block(() => {
      for (const e of k.indexed) {
        w.write(`if (Scan.indexed(key, ${q(e.key)})) `).block(() => {
          w.writeLine(`const index = s.index(key, ${q(e.key)});`);
          const read = `${e.record}(s, ctx)`;
          if (e.section) {
            // The lines after this one, up to the next line of the same key, are its section.
            w.writeLine(`const r = ${read};`);
            w.writeLine(`const e = s.sectionEnd(end, ${q(k.separator)}, new Set([${e.section.until.map((u) => JSON.stringify(u)).join(', ')}]), ${q(e.key)});`);
            w.writeLine(`${e.local}.push({ ${e.indexName}: index, ...r, ${e.section.name}: ${e.section.fn}(s, ctx, e) });`);
          } else {
            w.writeLine(`${e.local}.push({ ${e.indexName}: index, ...${read} });`);
          }
          w.writeLine('break;');
        });
      }
      const f = k.fallback;
      if (f.kind === 'extraColumns') {
        w.writeLine('if (extra === undefined) extra = Object.create(null) as Record<string, Record<string, N | string>>;');
        w.writeLine('if (Object.prototype.hasOwnProperty.call(extra, key)) s.duplicate(key);');
        valuesLine(w, k.separator);
        w.writeLine('extra[key] = s.extraColumns(names);');
      } else if (f.kind === 'others') {
        w.writeLine('if (Object.prototype.hasOwnProperty.call(others, key)) s.duplicate(key);');
        w.writeLine('others[key] = s.extraValue();');
      } else if (f.kind === 'extra') {
        w.writeLine('if (extra === undefined) extra = Object.create(null) as Record<string, N | string>;');
        w.writeLine('if (Object.prototype.hasOwnProperty.call(extra, key)) s.duplicate(key);');
        w.writeLine('extra[key] = s.extraValue();');
      } else {
        w.writeLine(`s.ts = s.ls; s.fail(${q(f.expected)});`);
      }
    });
  });
}

function printKeyed(w: CodeBlockWriter, names: Names, k: KeyedBody): void {
  if (k.head) {
    printLocals(w, k.head.locals);
    w.writeLine(`if (!s.nextLine(end)) s.missing(${q('a header line')});`);
    printTokens(w, names, k.head.tokens);
    w.writeLine('s.eol();');
  }
  for (const n of k.skip) w.writeLine(`if (!s.nextLine(end)) s.missing(${q(`line ${n}`)});`);
  for (const l of k.locals) w.writeLine(l.list ? `const ${l.name}: ${l.type} = [];` : `let ${l.name}: ${l.type} | undefined;`);
  if (k.catchAll === 'others') w.writeLine('const others = Object.create(null) as Record<string, N | string>;');
  else if (k.catchAll === 'extraColumns') w.writeLine('let extra: Record<string, Record<string, N | string>> | undefined;');
  else if (k.catchAll === 'extra') w.writeLine('let extra: Record<string, N | string> | undefined;');
  if (k.dispatch.kind === 'bytes') w.writeLine('let next = 0;');
  if (k.dispatch.kind === 'bytes' && k.dispatch.fast) {
    w.writeLine('let fast = -1;');
    w.write('for (;;) ').block(() => {
      w.writeLine('fast = -1;');
      printKeyedLine(w, names, k);
    });
  } else {
    w.write('while (s.nextLine(end)) ').block(() => printKeyedLine(w, names, k));
  }
  for (const r of k.required) w.writeLine(`if (${r.local} === undefined) s.missing(${q(r.expected)});`);
  printObject(w, k.object);
  w.writeLine('return o;');
}
