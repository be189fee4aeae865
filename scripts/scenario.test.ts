import { describe, expect, it } from 'vitest';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitDataset } from './scenario.js';

const FACES = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'test/fixtures/demo-faces');

describe('scenario dataset split (EVAL-PROTOCOL)', () => {
  it('enrols even positions with their first K images, and keeps the rest as probes', () => {
    const ids = splitDataset(FACES, 2);
    expect(ids.map((i) => [i.name, i.enrolled])).toEqual([
      ['angelina_jolie', true],
      ['colin_powell', false],
      ['donald_rumsfeld', true],
      ['george_w_bush', false],
      ['hugo_chavez', true],
      ['tony_blair', false],
    ]);
    const angelina = ids[0];
    expect(angelina?.templates.map((f) => f.split('/').pop())).toEqual(['01.jpg', '02.jpg']);
    expect(angelina?.probes.map((f) => f.split('/').pop())).toEqual(['03.jpg', '04.jpg']);
    expect(ids[1]?.templates).toEqual([]);
    expect(ids[1]?.probes).toHaveLength(4);
  });
});

describe('rush door sequence', () => {
  it('sends N students and S strangers through three places within the window, never more than 3 faces a frame', async () => {
    const { buildRushSequence, ScenarioOptions } = await import('./scenario.js');
    const { mkdtempSync, rmSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const work = mkdtempSync(join(tmpdir(), 'rush-test-'));
    try {
      const o = ScenarioOptions.parse({ faces: FACES, rush: 3, strangers: 2, 'rush-seconds': 15 });
      const door = await buildRushSequence(splitDataset(FACES, 2), o, work);
      expect(new Set(door.visits.map((v) => v.identity)).size).toBe(5);
      expect(door.visits.filter((v) => v.known)).toHaveLength(3);
      expect(door.visits.filter((v) => !v.known)).toHaveLength(2);
      expect([...(door.classMembers ?? [])].sort()).toEqual([
        'angelina_jolie',
        'donald_rumsfeld',
        'hugo_chavez',
      ]);
      expect(door.facesPerFrameMax).toBeLessThanOrEqual(3);
      expect(door.facesPerFrameMax).toBeGreaterThanOrEqual(2);
      expect(Math.max(...door.visits.map((v) => v.first))).toBeLessThan(15 * o.fps);
      expect(readdirSync(door.dir)).toHaveLength(door.frames);
      // Every frame's people are the visits covering it.
      door.owner.forEach((here, f) => {
        for (const v of here) expect(f >= v.first && f <= v.last).toBe(true);
      });
      // Not a collage: no flat mid-tone area anywhere (the old frames pasted photo strips on flat
      // grey, whose straight paper-like edges the liveness check rightly treats as prints).
      const sharp = (await import('sharp')).default;
      const files = readdirSync(door.dir).filter((_, i) => door.owner[i]!.length > 0);
      for (const file of [files[0]!, files[Math.floor(files.length / 2)]!, files[files.length - 1]!]) {
        const { data, info } = await sharp(join(door.dir, file)).raw().toBuffer({ resolveWithObject: true });
        expect([info.width, info.height]).toEqual([640, 480]);
        expect(flatMidToneBlocks(data, info.width, info.height, 48)).toEqual([]);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});

/** Top-left corners of size×size blocks whose pixels are all within 6 of one mid-tone grey level. */
function flatMidToneBlocks(rgb: Buffer, width: number, height: number, size: number): [number, number][] {
  const flat: [number, number][] = [];
  for (let y0 = 0; y0 + size <= height; y0 += size / 2) {
    for (let x0 = 0; x0 + size <= width; x0 += size / 2) {
      let lo = 255;
      let hi = 0;
      for (let y = y0; y < y0 + size; y++)
        for (let x = x0; x < x0 + size; x++)
          for (let c = 0; c < 3; c++) {
            const v = rgb[(y * width + x) * 3 + c]!;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
      if (hi - lo <= 6 && lo >= 24 && hi <= 231) flat.push([x0, y0]);
    }
  }
  return flat;
}
