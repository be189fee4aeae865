import { describe, expect, it } from 'vitest';
import { noConsentHint } from './import-hints.js';

describe('the photo import on folders skipped for want of consent', () => {
  it('names them and the ways to record a consent, not a re-run with --consent (those students exist now)', () => {
    const hint = noConsentHint(['1004']);
    expect(hint).toMatch(
      /^1 folder skipped, no face data stored: no consent on record \(1004\)\. Record the consent/,
    );
    expect(hint).toContain('consent=yes in the roster CSV');
    expect(hint).toContain('--consent counts only for students an import creates');
    expect(noConsentHint(['1004', '1005'])).toMatch(/^2 folders skipped/);
  });

  it('lists at most ten', () => {
    const folders = Array.from({ length: 12 }, (_, i) => String(2000 + i));
    expect(noConsentHint(folders)).toContain('2009, … (2 more))');
  });
});
