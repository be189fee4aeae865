import { describe, expect, it } from 'vitest';
import { dayTitle } from './day-title.js';

describe('the Today page heading', () => {
  it('is "Today" for today at the school', () => {
    expect(dayTitle(undefined, null)).toBe('Today');
    expect(dayTitle('2026-12-08', '2026-12-08')).toBe('Today');
  });
  it('names any other day it shows', () => {
    expect(dayTitle('2026-12-07', '2026-12-08')).toBe('Mon 7 Dec 2026');
    expect(dayTitle('2026-12-07', null)).toBe('Mon 7 Dec 2026');
  });
});
