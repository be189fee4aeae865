// Helpers for the staff console in Chromium: sign in through the page, check a page with
// axe-core (its source evaluated in the page through the DevTools protocol, which the
// console's CSP does not govern), and name screenshots console-*.png.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SCREENSHOTS } from './world.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; html: string }[];
}

/** Serious and critical violations of the page as it is now (WCAG 2 A/AA rules and best practice). */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  const has = await page.evaluate('typeof window.axe !== "undefined"');
  if (!has) await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate('window.axe.run(document, { resultTypes: ["violations"] })')) as {
    violations: AxeViolation[];
  };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Every page checked, for the summary the e2e prints. */
export const checkedPages: { name: string; serious: number }[] = [];

export async function expectAccessible(page: Page, name: string): Promise<void> {
  const serious = await seriousA11yViolations(page);
  checkedPages.push({ name, serious: serious.length });
  if (serious.length > 0) {
    const detail = serious
      .map(
        (v) =>
          `${v.impact} ${v.id}: ${v.help} — ${v.nodes
            .slice(0, 3)
            .map((n) => n.html)
            .join(' | ')}`,
      )
      .join('\n');
    throw new Error(`axe found ${serious.length} serious/critical violation(s) on ${name}:\n${detail}`);
  }
}

export async function consoleShot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `console-${name}.png`), fullPage });
}

/**
 * A form's error is on screen exactly once (beside its field or at the form's top), never
 * repeated: the count of error messages in the form that contain `text`.
 */
export async function errorShownOnce(page: Page, form: string, text: string): Promise<void> {
  const where = `${form} [data-testid="field-error"], ${form} [data-testid="form-error"]`;
  await page.locator(where, { hasText: text }).first().waitFor();
  const times = await page.locator(where, { hasText: text }).count();
  if (times !== 1) throw new Error(`${form}: "${text}" is shown ${times} times, not once`);
  // and no other box at the top of the form repeats the field's message in other words
  const top = await page.locator(`${form} [data-testid="form-error"]`).allTextContents();
  const beside = await page.locator(`${form} [data-testid="field-error"]`).count();
  if (beside > 0 && top.length > 0) throw new Error(`${form}: also at the top: ${top.join(' | ')}`);
}

export async function signInConsole(
  page: Page,
  baseUrl: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/#/today`);
  await page.waitForSelector('[data-page="signin"]');
  await page.fill('[data-testid="signin-email"]', email);
  await page.fill('[data-testid="signin-password"]', password);
  await page.click('[data-testid="signin-submit"]');
  await page.waitForSelector('[data-testid="signed-in-as"]');
}

/** A CSV as rows of cells (RFC 4180: quoted cells, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r') continue;
    else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** The little of a DOM element this file needs (tsconfig.node has no DOM lib). */
interface Cell {
  querySelectorAll(selector: string): ArrayLike<Cell>;
  textContent: string | null;
  cloneNode(deep: boolean): Cell;
  remove(): void;
}

/**
 * The text of each body row's cells of a table (th and td, in order), skipping the last `skipLast`
 * columns. A note under a value (`.row-note`, e.g. why the door cannot recognise a student) is the
 * screen's, not the cell's value, and is left out, as the CSV leaves it out.
 */
export async function tableCells(page: Page, selector: string, skipLast = 0): Promise<string[][]> {
  return page.$$eval(
    `${selector} tbody tr`,
    (trs, skip) =>
      (trs as unknown as Cell[]).map((tr) =>
        Array.from(tr.querySelectorAll(':scope > th, :scope > td'))
          .map((c) => {
            const copy = c.cloneNode(true);
            for (const note of Array.from(copy.querySelectorAll('.row-note'))) note.remove();
            return (copy.textContent ?? '').trim();
          })
          .slice(0, skip > 0 ? -skip : undefined),
      ),
    skipLast,
  );
}
