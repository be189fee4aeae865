import { describe, expect, it } from 'vitest';
import { csvCell, safeFilename, toCsv } from './csv.js';

// A minimal RFC 4180 reader, to check that what we write reads back as the same cells.
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

/**
 * How a spreadsheet whose list separator is ";" (Excel in most of Europe) reads a file it opens
 * by double-click, or one told to split at tabs too: fields end at ";", a tab or a line break,
 * and a quote counts only at a field's start.
 */
function parseAsSemicolonLocale(text: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = '';
    if (text[i] === '"') {
      for (i++; i < text.length; i++) {
        if (text[i] === '"' && text[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (text[i] === '"') {
          i++;
          break;
        } else cell += text[i];
      }
    }
    while (i < text.length && !/[;\t\r\n]/.test(text[i] ?? '')) cell += text[i++];
    cells.push(cell);
    if (text[i] === '\r' && text[i + 1] === '\n') i++;
    i++;
  }
  return cells;
}

describe('CSV writing', () => {
  it('quotes commas, quotes and line breaks, and round-trips', () => {
    const cells = ['plain', "O'Brien, Seán", 'say "hi"', 'two\nlines', ' padded ', '', 'Zoë 🙂'];
    const text = toCsv(['a', 'b', 'c', 'd', 'e', 'f', 'g'], [cells]);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text)).toEqual([['a', 'b', 'c', 'd', 'e', 'f', 'g'], cells]);
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
  });

  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    // Numbers are numbers, not text: a negative number stays a number.
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell(null)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('leaves no formula for a spreadsheet that splits at ";", a tab or a line break inside a cell', () => {
    // A name with no comma or quote is written unquoted; a ";" locale splits it into cells of its
    // own, and a line break inside a quoted cell ends the row there.
    const names = [
      "Smith;=cmd|' /C calc'!A0",
      'Smith ; +1+1',
      'Smith;@SUM(1)',
      'Smith;-2+3',
      'Smith\n=1+1',
      'Smith\r\n=1+1',
      'Smith\t=1+1',
      'Lee, Ann;=1+1;',
      // A quote between: doubled in our quoted cell, it starts the spreadsheet's field as "".
      `Smith;"=cmd|' /C calc'!A0;`,
      'a\n"=1+1',
      'Smith; " =1+1',
    ];
    const text = toCsv(
      ['number', 'name'],
      names.map((name, i) => [String(i), name]),
    );
    const formulas = parseAsSemicolonLocale(text).filter((cell) => /^\s*[=+\-@]/.test(cell));
    expect(formulas).toEqual([]);
    // Read as the comma file it is, each name is still there, one cell each, with a mark before
    // what would have been a formula.
    const rows = parseCsv(text).slice(1);
    expect(rows.map((r) => r[1])).toEqual([
      "Smith;'=cmd|' /C calc'!A0",
      "Smith ; '+1+1",
      "Smith;'@SUM(1)",
      "Smith;'-2+3",
      "Smith\n'=1+1",
      "Smith\r\n'=1+1",
      "Smith\t'=1+1",
      "Lee, Ann;'=1+1;",
      `Smith;"'=cmd|' /C calc'!A0;`,
      'a\n"\'=1+1',
      'Smith; " \'=1+1',
    ]);
    // Spaces before a formula at the start of the cell (an import that trims spaces drops them).
    expect(csvCell('  =1+1')).toBe("'  =1+1");
    expect(csvCell('"=1+1')).toBe(`"'""=1+1"`);
    // Ordinary names are untouched.
    expect(csvCell('Jean-Luc; Marie')).toBe('Jean-Luc; Marie');
  });

  it('makes header-safe file names', () => {
    expect(safeFilename('Maths 7B "advanced"/2026-09-07')).toBe('Maths_7B_advanced_2026-09-07');
    expect(safeFilename('///')).toBe('_');
  });
});
