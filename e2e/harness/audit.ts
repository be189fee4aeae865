// What the UI audit checks on a screen, in the page: axe-core (accessibility) and a layout check
// (no text cut, off-screen, overlapping or broken inside a word). Both run as strings: the e2e
// code is typechecked without DOM types, and the page's CSP allows no script of ours.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SCREENSHOTS } from './world.js';

export const SIZES = {
  '800x480': { width: 800, height: 480 },
  '480x800': { width: 480, height: 800 },
  '1280x720': { width: 1280, height: 720 },
  '1920x1080': { width: 1920, height: 1080 },
  '1080x1920': { width: 1080, height: 1920 },
  '3840x2160': { width: 3840, height: 2160 },
} as const;
export type SizeName = keyof typeof SIZES;

const requireCjs = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(requireCjs.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core on the page as it is now; injected once per page load. Serious and critical only. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
  const all =
    (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('')),
  })))`)) as AxeViolation[];
  return all.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export interface LayoutReport {
  problems: string[];
  /** Font size (px) of the greeting's name, when one is shown. */
  nameFontPx: number | null;
}

/**
 * Every visible element with its own text: inside the viewport (horizontally always; vertically
 * unless the screen may scroll), not cut by an ancestor that clips or scrolls, not overflowing
 * itself, not overlapping another text, and (on the door and PIN screens) no word split across
 * two lines. Returns what is wrong in words, so a failure says where to look.
 */
export async function layoutReport(page: Page, opts: { scrollY?: boolean } = {}): Promise<LayoutReport> {
  const script = `(() => {
    const scrollY = ${opts.scrollY ? 'true' : 'false'};
    const problems = [];
    const vw = window.innerWidth, vh = window.innerHeight;
    const root = document.documentElement;
    if (root.scrollWidth > vw + 1) problems.push('the page scrolls sideways: ' + root.scrollWidth + ' px wide in ' + vw);
    if (!scrollY && root.scrollHeight > vh + 1) problems.push('the page is taller than the screen: ' + root.scrollHeight + ' px in ' + vh);
    const name = (el) => {
      const id = el.getAttribute('data-testid');
      const cls = typeof el.className === 'string' && el.className ? '.' + el.className.split(' ')[0] : '';
      return el.tagName.toLowerCase() + (id ? '[' + id + ']' : '') + cls + ' "' + (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 50) + '"';
    };
    const shown = (el) => {
      if (el.closest('.visually-hidden, .sr-only, option, select, script, style, template')) return false;
      // A closed <details> keeps boxes for its content in Chromium (content-visibility), unseen.
      const details = el.closest('details');
      if (details && !details.open && !el.closest('summary')) return false;
      const cs = getComputedStyle(el);
      return cs.visibility !== 'hidden' && cs.display !== 'none' && Number(cs.opacity) > 0 && el.getClientRects().length > 0;
    };
    const ownText = (el) => Array.from(el.childNodes).filter((n) => n.nodeType === 3 && n.textContent.trim());
    const textRect = (el) => {
      let r = null;
      for (const n of ownText(el)) {
        const range = document.createRange();
        range.selectNodeContents(n);
        for (const q of Array.from(range.getClientRects())) {
          if (q.width < 0.5 || q.height < 0.5) continue;
          r = r ? { left: Math.min(r.left, q.left), top: Math.min(r.top, q.top), right: Math.max(r.right, q.right), bottom: Math.max(r.bottom, q.bottom) } : { left: q.left, top: q.top, right: q.right, bottom: q.bottom };
        }
      }
      return r;
    };
    const modal = document.querySelector('.modal');
    const scope = modal || document.body;
    const texts = Array.from(scope.querySelectorAll('*')).filter((el) => ownText(el).length > 0 && shown(el));
    const rects = new Map();
    for (const el of texts) {
      const r = textRect(el);
      if (!r) continue;
      rects.set(el, r);
      if (r.left < -1 || r.right > vw + 1) problems.push('off screen sideways: ' + name(el) + ' (' + Math.round(r.left) + '..' + Math.round(r.right) + ' of ' + vw + ')');
      if (!scrollY && (r.top < -1 || r.bottom > vh + 1)) problems.push('off screen: ' + name(el) + ' (' + Math.round(r.top) + '..' + Math.round(r.bottom) + ' of ' + vh + ')');
      for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
        const cs = getComputedStyle(a);
        const clipsX = cs.overflowX !== 'visible', clipsY = cs.overflowY !== 'visible';
        if (!clipsX && !clipsY) continue;
        if (a === el) {
          if ((clipsX && a.scrollWidth > a.clientWidth + 1) || (clipsY && a.scrollHeight > a.clientHeight + 1)) problems.push('cut inside itself: ' + name(el));
          continue;
        }
        const box = a.getBoundingClientRect();
        const cut = (clipsX && (r.left < box.left - 1 || r.right > box.right + 1)) || (clipsY && (r.top < box.top - 1 || r.bottom > box.bottom + 1));
        if (cut) {
          problems.push('cut by ' + name(a).split(' "')[0] + ': ' + name(el));
          break;
        }
      }
    }
    // Two texts on top of each other (a face-box label over the picture is not text on text).
    const list = Array.from(rects.entries()).filter(([el]) => !el.closest('.preview'));
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [ea, a] = list[i], [eb, b] = list[j];
        if (ea.contains(eb) || eb.contains(ea)) continue;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 2 && h > 2) problems.push('overlap: ' + name(ea) + ' and ' + name(eb));
      }
    }
    // Words are never split across lines on the door and PIN screens (admin tables may break a URL).
    for (const el of texts) {
      if (!el.closest('[data-screen="kiosk"], [data-screen="pin"]')) continue;
      for (const n of ownText(el)) {
        const text = n.textContent;
        // A double-barrelled name may wrap at its hyphen, like between words; nowhere else.
        const re = /[^\\s-]{2,}/g;
        let m;
        while ((m = re.exec(text))) {
          const range = document.createRange();
          range.setStart(n, m.index);
          range.setEnd(n, m.index + m[0].length);
          const tops = new Set(Array.from(range.getClientRects()).filter((q) => q.width > 0.5).map((q) => Math.round(q.top)));
          if (tops.size > 1) problems.push('word broken across lines: "' + m[0] + '" in ' + name(el));
        }
      }
    }
    const nameEl = document.querySelector('[data-testid="greeting-name"]');
    return { problems: Array.from(new Set(problems)), nameFontPx: nameEl ? parseFloat(getComputedStyle(nameEl).fontSize) : null };
  })()`;
  return (await page.evaluate(script)) as LayoutReport;
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** Lets React render and the greeting fit itself (two animation frames). */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(
    'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))',
  );
}
