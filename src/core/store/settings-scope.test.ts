// A stored match threshold/margin belongs to the face model it was set under (state-repo.ts).
import { describe, expect, it, vi } from 'vitest';
import { openKioskDatabase } from './index.js';
import { DEFAULT_SETTINGS } from './settings-defaults.js';
import { createSettingsRepo } from './state-repo.js';

const withThreshold = (threshold: number) => ({ ...DEFAULT_SETTINGS, matchThreshold: threshold });

describe('model-scoped recognition settings', () => {
  it('keeps an admin threshold for the model it was set under', () => {
    const db = openKioskDatabase(':memory:');
    const repo = createSettingsRepo(db, withThreshold(0.43), { recognitionModelId: 'new/v1' });
    repo.update({ matchThreshold: 0.47 });
    expect(
      createSettingsRepo(db, withThreshold(0.43), { recognitionModelId: 'new/v1' }).get().matchThreshold,
    ).toBe(0.47);
    db.close();
  });

  it('drops threshold and margin set under another model, says so once, keeps the other settings', () => {
    const db = openKioskDatabase(':memory:');
    const old = createSettingsRepo(
      db,
      { ...DEFAULT_SETTINGS, matchThreshold: 0.52, matchMargin: 0.07 },
      { recognitionModelId: 'old/v1' },
    );
    old.update({ matchThreshold: 0.55, votesNeeded: 3 });
    const stale = vi.fn();
    const upgraded = createSettingsRepo(
      db,
      { ...DEFAULT_SETTINGS, matchThreshold: 0.43, matchMargin: 0.16 },
      { recognitionModelId: 'new/v1', onStaleRecognition: stale },
    );
    expect(upgraded.get()).toMatchObject({ matchThreshold: 0.43, matchMargin: 0.16, votesNeeded: 3 });
    upgraded.get();
    expect(stale).toHaveBeenCalledTimes(1);
    expect(stale).toHaveBeenCalledWith('old/v1');
    // Tuning under the new model pins both values to it; the old margin does not come back.
    upgraded.update({ matchThreshold: 0.45 });
    const again = createSettingsRepo(
      db,
      { ...DEFAULT_SETTINGS, matchThreshold: 0.43, matchMargin: 0.16 },
      { recognitionModelId: 'new/v1' },
    );
    expect(again.get()).toMatchObject({ matchThreshold: 0.45, matchMargin: 0.16 });
    db.close();
  });

  it('treats a threshold stored before models were recorded as stale', () => {
    const store = openKioskDatabase(':memory:');
    store.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('matchThreshold', '0.52');
    const repo = createSettingsRepo(
      store,
      { ...DEFAULT_SETTINGS, matchThreshold: 0.43 },
      { recognitionModelId: 'new/v1' },
    );
    expect(repo.get().matchThreshold).toBe(0.43);
    // Without a model to scope to (tests, tools), stored values apply as before.
    expect(
      createSettingsRepo(store, { ...DEFAULT_SETTINGS, matchThreshold: 0.43 }).get().matchThreshold,
    ).toBe(0.52);
    store.close();
  });

  it('raises a looser threshold, margin or vote count stored by hand (or before Settings refused them) to the defaults', () => {
    const db = openKioskDatabase(':memory:');
    const put = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
    put.run('matchThreshold', '0.2');
    put.run('matchMargin', '0');
    put.run('votesNeeded', '1');
    put.run('cooldownSeconds', '5');
    const repo = createSettingsRepo(db, { ...DEFAULT_SETTINGS, matchThreshold: 0.43, matchMargin: 0.16 });
    expect(repo.get()).toMatchObject({
      matchThreshold: 0.43,
      matchMargin: 0.16,
      votesNeeded: 2,
      cooldownSeconds: 5,
    });
    db.close();
  });
});
