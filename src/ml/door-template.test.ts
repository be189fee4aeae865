import { describe, expect, it } from 'vitest';
import { clearsDoorTemplateBar, doorTemplateBar, doorTemplateFloor } from './door-template.js';

const point = { threshold: 0.43, minMargin: 0.16 };
const decision = (d: Partial<Parameters<typeof clearsDoorTemplateBar>[0]>) => ({
  accepted: true,
  tier: 'class' as const,
  personId: 'p1',
  score: 0.7,
  margin: 0.4,
  ...d,
});

describe('template freshness bar', () => {
  it('is the class point plus the step on both numbers', () => {
    expect(doorTemplateBar(point)).toEqual({ threshold: 0.53, minMargin: 0.26 });
  });

  it('takes only accepted class-tier matches that clear both the similarity and the margin', () => {
    expect(clearsDoorTemplateBar(decision({}), point)).toBe(true);
    expect(clearsDoorTemplateBar(decision({ score: 0.52 }), point)).toBe(false);
    expect(clearsDoorTemplateBar(decision({ margin: 0.25 }), point)).toBe(false);
    expect(clearsDoorTemplateBar(decision({ tier: 'school' }), point)).toBe(false);
    expect(clearsDoorTemplateBar(decision({ accepted: false }), point)).toBe(false);
    expect(clearsDoorTemplateBar(decision({ personId: null }), point)).toBe(false);
  });
});

describe('doorTemplateFloor (the server-side likeness floor)', () => {
  it("is the kiosk model's calibrated class threshold, and null for a model never calibrated", () => {
    expect(doorTemplateFloor('faceplugin/v1')).toBe(0.43);
    expect(doorTemplateFloor('faceplugin/flip/v1')).toBe(0.43);
    expect(doorTemplateFloor('fake-model-v1')).toBeNull();
    expect(doorTemplateFloor('faceplugin+mobileface/v1')).toBeNull();
  });
});
