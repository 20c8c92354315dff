/**
 * Prints record plans: locals, token steps (a pick's too), `key=value`
 * pairs and named columns, and the making of the record's object.
 */
import type { CodeBlockWriter } from 'ts-morph';
import type { ColumnsPlan, Local, NamedField, ObjectPlan, PairsPlan, RecordBody, TokenStep } from '../plan/ir.js';
import { q, type Names } from './code.js';
import { printToken, printValue } from './values.js';

export function printLocals(w: CodeBlockWriter, locals: Local[]): void {
  for (const l of locals) w.writeLine(`let ${l.name}: ${l.type}${l.maybe ? ' | undefined' : ''}${l.init ? ' = undefined' : ''};`);
}

/**
 * Token steps; in a pick (`want` from Scan.want, `last` the last token asked
 * for), plain tokens not asked for are stepped over, and reading stops after
 * the last one asked for.
 */
export function printTokens(w: CodeBlockWriter, names: Names, steps: TokenStep[]): void {
  for (const t of steps) {
    if (t.kind === 'literal') {
      w.writeLine(`s.lit(${q(t.text)}); s.sep();`);
      continue;
    }
    const read = (): void => {
      if (t.startsWith !== undefined) {
        w.writeLine('s.oneSpace(); s.ts = s.pos;');
        w.writeLine(`if (!s.atText(${q(t.startsWith)})) s.fail(${q(`a text starting with ${JSON.stringify(t.startsWith)}`)});`);
      }
      printToken(w, names, t.read, t.local, t.predeclared);
      if (t.trailer) {
        w.writeLine(`${t.trailer.local} = ${t.local}.endsWith(${q(t.trailer.text)});`);
        w.writeLine(`if (${t.trailer.local}) ${t.local} = ${t.local}.slice(0, ${-t.trailer.text.length});`);
      }
      if (t.decode !== undefined) w.writeLine(t.decode);
    };
    if (t.optional?.kind === 'opening') {
      w.writeLine('s.ws();');
      w.write(`if (s.at(${q(t.optional.open)})) `).block(read);
      continue;
    }
    if (t.optional?.first) w.writeLine('let ok = s.more();');
    const pick = t.pick;
    const token = pick && `Token.${pick.field}`;
    const step = (): void => {
      if (pick?.skippable) {
        w.write(`if (want[${token}] === 1) `).block(read);
        // A plain token starts a run of tokens stepped over (its length at Want.runs + the token) or lies inside one.
        if (pick.runs) w.writeLine(`else if (want[Want.runs + ${token}] !== 0) s.skipWords(want[Want.runs + ${token}]!);`);
        else w.writeLine('else s.skipWords(1);');
      } else read();
    };
    if (t.optional) {
      w.write('if (ok) ').block(() => {
        step();
        w.writeLine('ok = s.more();');
      });
    } else step();
    // A pick reads no further than the last field asked for.
    if (pick) w.writeLine(`if (last === ${token}) break tokens;`);
  }
}

/** Case arms reading the value of each named field into its local: `case "<raw>":`, or by its number in a columns table (`case 3: /* raw *\/`). */
function namedCases(w: CodeBlockWriter, names: Names, fields: NamedField[], numbered = false): void {
  for (const [i, f] of fields.entries()) {
    w.write(numbered ? `case ${i}: /* ${f.raw.replace(/\*\//g, '* /')} */ ` : `case ${q(f.raw)}: `).block(() => {
      w.writeLine(`if (${f.local} !== undefined) s.duplicate(k);`);
      printValue(w, names, f.read, f.local);
      w.writeLine('s.sep();');
      w.writeLine('break;');
    });
  }
}

/**
 * Reads one value per header name (`names`), by the name's number in the
 * columns table (`index`, from Scan.columns: a switch on numbers, where one
 * on the names compares a name with each case in turn): spec fields typed,
 * the others into `extra` (or `others`).
 */
function printColumns(w: CodeBlockWriter, names: Names, c: ColumnsPlan): void {
  if (c.others) w.writeLine('const others = Object.create(null) as Record<string, N | string>;');
  else w.writeLine('let extra: Record<string, N | string> | undefined;');
  w.write('for (let i = 0; i < names.length; i++) ').block(() => {
    w.writeLine('const k = names[i]!;');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal of the generated parser
    w.writeLine('if (!s.more()) { s.ts = s.pos; s.fail(`a value for the column "${k}"`); }');
    w.write('switch (index[i]) ').block(() => {
      namedCases(w, names, c.fields, true);
      w.write('default: ').block(() => {
        const into = c.others ? 'others' : 'extra';
        if (!c.others) w.writeLine('if (extra === undefined) extra = Object.create(null) as Record<string, N | string>;');
        w.writeLine(`if (Object.prototype.hasOwnProperty.call(${into}, k)) s.duplicate(k);`);
        w.writeLine(`${into}[k] = s.extraToken();`);
      });
    });
  });
  for (const r of c.required) w.writeLine(`if (${r.local} === undefined) s.missing(${q(r.expected)});`);
}

/** Reads `key=value` tokens up to the end of the line. */
function printPairs(w: CodeBlockWriter, names: Names, p: PairsPlan): void {
  w.writeLine('let extra: Record<string, string> | undefined;');
  w.write('while (s.more()) ').block(() => {
    // Word-value pairs (`inuse 5 mem 2`) are separated by white space; otherwise the key ends at the separator.
    w.writeLine(p.separator === ' ' ? 'const k = s.word(); s.ws();' : `const k = s.until(${q(p.separator)});`);
    w.write('switch (k) ').block(() => {
      namedCases(w, names, p.fields);
      w.write('default: ').block(() => {
        w.writeLine('if (extra === undefined) extra = Object.create(null) as Record<string, string>;');
        w.writeLine('if (Object.prototype.hasOwnProperty.call(extra, k)) s.duplicate(k);');
        w.writeLine('extra[k] = s.peek();');
        w.writeLine('s.word();');
      });
    });
  });
  for (const r of p.required) w.writeLine(`if (${r.local} === undefined) s.missing(${q(r.expected)});`);
}

/** `const o` = the object (see Planner.object). */
export function printObject(w: CodeBlockWriter, o: ObjectPlan): void {
  if (o.kind === 'literal') {
    w.writeLine(`const o: ${o.type} = {${o.fields.map((f) => ` ${f.name}: ${f.expr}`).join(',')}${o.fields.length > 0 ? ' ' : ''}};`);
    for (const f of o.catchAll) w.writeLine(`if (${f.expr} !== undefined) o.${f.name} = ${f.expr};`);
    return;
  }
  w.writeLine(`const o = new ${o.name}New(${o.args.join(', ')});`);
}

export function printRecord(w: CodeBlockWriter, names: Names, r: RecordBody): void {
  printLocals(w, r.locals);
  printTokens(w, names, r.tokens);
  if (r.pairs) printPairs(w, names, r.pairs);
  if (r.columns) printColumns(w, names, r.columns);
  w.writeLine(r.tail ? 'const extraTokens = s.more() ? s.restTokens() : undefined;' : 's.eol();');
  printObject(w, r.object);
  w.writeLine('return o;');
}
