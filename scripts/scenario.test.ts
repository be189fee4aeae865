import { describe, expect, it } from 'vitest';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitDataset } from './scenario';

const FACES = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'test/fixtures/demo-faces');

describe('scenario dataset split (EVAL-PROTOCOL)', () => {
  it('enrols even positions with their first K images, and keeps the rest as probes', () => {
    const ids = splitDataset(FACES, 2);
    expect(ids.map((i) => [i.name, i.enrolled])).toEqual([
      ['angelina_jolie', true], ['colin_powell', false], ['donald_rumsfeld', true],
      ['george_w_bush', false], ['hugo_chavez', true], ['tony_blair', false],
    ]);
    const angelina = ids[0];
    expect(angelina?.templates.map((f) => f.split('/').pop())).toEqual(['01.jpg', '02.jpg']);
    expect(angelina?.probes.map((f) => f.split('/').pop())).toEqual(['03.jpg', '04.jpg']);
    expect(ids[1]?.templates).toEqual([]);
    expect(ids[1]?.probes).toHaveLength(4);
  });
});
