/**
 * Prints value reads (plan/values.ts) and token reads: statements that read
 * at the cursor into a target.
 */
import type { CodeBlockWriter } from 'ts-morph';
import type { ListRead, PairRead, TokenEnd, TokenRead, ValueRead } from '../plan/ir.js';
import { call, listAdd, listEnd, listStart, q, scaled, stringRead, type Names } from './code.js';

/** A sentinel Scan.atWord can compare byte by byte: printable ASCII, no white space. */
const ASCII_WORD = /^[\x21-\x7e]+$/;

export function printValue(w: CodeBlockWriter, names: Names, v: ValueRead, target: string): void {
  switch (v.kind) {
    case 'number': {
      const num = scaled(call(v.call), v.scale);
      if (v.sentinels.length > 0 && v.sentinels.every((st) => ASCII_WORD.test(st.raw))) {
        // Compared in place (Scan.atWord): no string is cut out of the text for the comparison.
        const arms = v.sentinels.map((st) => `if (s.atWord(${q(st.raw)})) { s.pos += ${st.raw.length}; ${target} = ${q(st.name)}; }`);
        w.writeLine(`${arms.join(' else ')} else ${target} = ${num};`);
      } else if (v.sentinels.length > 0) {
        w.write('switch (s.peek()) ').block(() => {
          for (const st of v.sentinels) w.writeLine(`case ${q(st.raw)}: s.pos += ${st.raw.length}; ${target} = ${q(st.name)}; break;`);
          w.writeLine(`default: ${target} = ${num};`);
        });
      } else {
        w.writeLine(`${target} = ${num};`);
      }
      if (v.suffix !== undefined) w.writeLine(`s.${v.suffix.optional ? 'optLit' : 'lit'}(${q(v.suffix.text)});`);
      return;
    }
    case 'string':
      w.writeLine(`${target} = ${stringRead(v.read)};`);
      return;
    case 'enum':
      w.write(`switch (${v.stop !== undefined ? `s.wordTo(${q(v.stop)})` : 's.word()'}) `).block(() => {
        for (const e of v.values) w.writeLine(`case ${q(e.raw)}: ${target} = ${q(e.name)}; break;`);
        w.writeLine(`default: s.fail(${q(v.expected)});`);
      });
      return;
    case 'call':
      w.writeLine(`${target} = ${call(v.call)};`);
      return;
    case 'list':
      printList(w, names, v, target);
      return;
    case 'pair':
      printPair(w, names, v, target);
      return;
    case 'record':
      w.writeLine(`${target} = ${v.fn}(s, ctx);`);
      return;
  }
}

function printList(w: CodeBlockWriter, names: Names, v: ListRead, target: string): void {
  const arr = names.next('a');
  const item = names.next('i');
  if (v.room !== undefined) listStart(w, arr, v.itemType, `s.listRoom(${v.room})`);
  else w.writeLine(`const ${arr}: ${v.itemType}[] = [];`);
  const add = (): void => {
    if (v.room !== undefined) listAdd(w, arr, item);
    else w.writeLine(`${arr}.push(${item});`);
  };
  w.writeLine(`let ${item}: ${v.itemType};`);
  if (v.open !== undefined) w.writeLine(`s.ws(); s.char(${q(v.open)}); s.ws();`);
  const stop = v.open !== undefined ? `!s.at(${q(v.close!)})` : 's.more()';
  const separator = v.separator;
  if (separator === null) {
    w.write(`while (${stop}) `).block(() => {
      printValue(w, names, v.item, item);
      add();
      w.writeLine(v.open !== undefined ? 's.ws();' : 's.sep();');
    });
  } else {
    w.write(`if (${stop}) for (;;) `).block(() => {
      w.writeLine('s.ws();');
      printValue(w, names, v.item, item);
      add();
      // White space may come before a separator; without one it is the boundary after the list.
      w.writeLine('const b = s.pos;');
      w.writeLine('s.ws();');
      w.writeLine(`if (!s.at(${q(separator)})) { s.pos = b; break; }`);
      w.writeLine('s.pos++;');
    });
  }
  if (v.close !== undefined) w.writeLine(`s.char(${q(v.close)});`);
  if (v.room !== undefined) listEnd(w, arr);
  w.writeLine(`${target} = ${arr};`);
}

function printPair(w: CodeBlockWriter, names: Names, v: PairRead, target: string): void {
  const a = names.next('p');
  const b = names.next('p');
  w.writeLine(`let ${a}: ${v.first.type};`);
  w.writeLine(`let ${b}: ${v.second.type}${v.second.optional ? ' | undefined' : ''};`);
  printValue(w, names, v.first.read, a);
  const aRaw = v.first.inet ? `${a}Raw` : undefined;
  if (aRaw) w.writeLine(`const ${aRaw} = s.lastToken();`);
  const sRaw = v.second.inet ? `${b}Raw` : undefined;
  if (sRaw) w.writeLine(`let ${sRaw}: string | undefined;`);
  const firstProps = `${v.first.name}: ${a}${aRaw ? `, ${v.first.name}Raw: ${aRaw}` : ''}`;
  const second = (): void => {
    printValue(w, names, v.second.read, b);
    if (sRaw) w.writeLine(`${sRaw} = s.lastToken();`);
  };
  if (v.second.optional) {
    w.write(`if (s.at(${q(v.separator)})) `).block(() => {
      w.writeLine('s.pos++;');
      second();
    });
    if (v.checkQuote) w.writeLine(`if (s.quoteOpen) { s.quoteOpen = false; s.fail(${q('a closing double quote')}); }`);
    // Made whole in one literal or the other (one hidden class each), not given the second part afterwards.
    w.writeLine(
      `${target} = ${b} !== undefined ? { ${firstProps}, ${v.second.name}: ${b}${sRaw ? `, ${v.second.name}Raw: ${sRaw}!` : ''} } : { ${firstProps} };`,
    );
  } else {
    w.writeLine(`s.char(${q(v.separator)});`);
    second();
    w.writeLine(`${target} = { ${firstProps}, ${v.second.name}: ${b}${sRaw ? `, ${v.second.name}Raw: ${sRaw}!` : ''} };`);
  }
}

const printEnd = (w: CodeBlockWriter, end: TokenEnd): void => {
  // A terminator that may be missing is there, or the line ends (the optional tokens after it are absent).
  w.writeLine(end.kind === 'sep' ? 's.sep();' : `s.${end.optional ? 'charOrEnd' : 'char'}(${q(end.char)});`);
};

/** Statements reading one field token into `v` (declared already when `predeclared`: a pick's locals come before its tokens). */
export function printToken(w: CodeBlockWriter, names: Names, t: TokenRead, v: string, predeclared: boolean): void {
  if (t.kind === 'tok') {
    w.writeLine(`${v} = ${scaled(call(t.call), t.scale)};`);
    return;
  }
  w.writeLine(t.space === 'oneSpace' ? 's.oneSpace();' : 's.ws();');
  const b = t.body;
  if (b.kind === 'uList') {
    w.writeLine(predeclared ? `${v} = s.${b.method}();` : `const ${v}: ${b.arrayType} = s.${b.method}();`);
    return;
  }
  if (b.kind === 'repeat') {
    const item = names.next('r');
    w.writeLine(predeclared ? `${v} = [] as ${b.arrayType};` : `const ${v}: ${b.arrayType} = [];`);
    w.writeLine(`let ${item}: ${b.itemType};`);
    const each = (): void => {
      if (b.prefix !== undefined) w.writeLine(`s.lit(${q(b.prefix)});`);
      printValue(w, names, b.item, item);
      w.writeLine(`${v}.push(${item});`);
      w.writeLine('s.sep();');
    };
    const until = b.until;
    if (until.kind === 'columns') {
      // One value per header column; a row may stop early at the end of its line (x86's ERR: and MIS:).
      w.write(`for (let n = h.${until.header}.length; n > 0 && s.more(); n--) `).block(each);
    } else if (until.kind === 'endsAt' && until.before === true) {
      // The list ends before the token that begins with the marker: the next token reads it.
      w.write(`while (s.more() && !s.atText(${q(until.word)})) `).block(each);
    } else if (until.kind === 'endsAt') {
      w.write('for (;;) ').block(() => {
        w.writeLine(`if (!s.more()) { s.ts = s.pos; s.fail(${q(until.expected)}); }`);
        w.writeLine(`if (s.peek() === ${q(until.word)}) { s.pos += ${until.word.length}; break; }`);
        each();
      });
    } else {
      w.write('while (s.more()) ').block(each);
    }
    return;
  }
  if (t.prefix !== undefined) w.writeLine(`s.lit(${q(t.prefix)});`);
  switch (b.kind) {
    case 'string':
    case 'terminated':
      w.writeLine(`${v} = ${stringRead(b.read)};`);
      return;
    case 'enclosed':
      w.writeLine(`${v} = ${stringRead(b.read)};`);
      printEnd(w, b.end);
      return;
    case 'terminatedList':
      w.writeLine(`${v} = [];`);
      w.write(`if (!s.at(${q(b.terminator)})) for (;;) `).block(() => {
        w.writeLine(`${v}.push(${stringRead(b.item)});`);
        w.writeLine(`if (!s.at(${q(b.separator)})) break;`);
        w.writeLine('s.pos++;');
      });
      printEnd(w, b.end);
      return;
    case 'value':
      printValue(w, names, b.read, v);
      if (b.inet) w.writeLine(`${v}Raw = s.lastToken();`);
      printEnd(w, b.end);
      return;
  }
}
