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

  it('makes header-safe file names', () => {
    expect(safeFilename('Maths 7B "advanced"/2026-09-07')).toBe('Maths_7B_advanced_2026-09-07');
    expect(safeFilename('///')).toBe('_');
  });
});
