import { describe, expect, it } from 'vitest';
import { deriveStatus, type StatusEvent } from './attendance-status.js';

let n = 0;
const ev = (
  kind: StatusEvent['kind'],
  status: StatusEvent['status'],
  at: string,
  refId: string | null = null,
  id = `e${++n}`,
): StatusEvent => ({
  id,
  kind,
  status,
  occurredAt: `2026-09-07T${at}:00.000Z`,
  refId,
});

describe('deriveStatus', () => {
  it('no events: no status', () => {
    expect(deriveStatus([])).toEqual({ status: null, decidedBy: null });
  });

  it('the first automatic mark wins over later ones, whatever the arrival order', () => {
    const late = ev('mark', 'late', '08:50');
    const present = ev('mark', 'present', '08:31');
    expect(deriveStatus([late, present]).status).toBe('present');
    expect(deriveStatus([present, late]).decidedBy).toBe(present);
  });

  it('the latest manual event overrides marks', () => {
    const events = [
      ev('mark', 'present', '08:31'),
      ev('manual', 'excused', '09:00'),
      ev('manual', 'late', '09:05'),
      ev('mark', 'present', '09:10'),
    ];
    expect(deriveStatus(events).status).toBe('late');
  });

  it('an undo cancels its event; undoing the undo restores it', () => {
    const manual = ev('manual', 'excused', '09:00');
    const mark = ev('mark', 'late', '08:45');
    const undo = ev('undo', null, '09:01', manual.id);
    expect(deriveStatus([mark, manual, undo]).status).toBe('late');
    const redo = ev('undo', null, '09:02', undo.id);
    expect(deriveStatus([mark, manual, undo, redo]).status).toBe('excused');
    expect(deriveStatus([mark, ev('undo', null, '09:00', mark.id)]).status).toBeNull();
  });

  it('ignores exceptions and survives self-referencing undos', () => {
    const self = ev('undo', null, '09:00', 'loop', 'loop');
    expect(deriveStatus([ev('exception', null, '08:30'), self, ev('mark', 'present', '08:40')]).status).toBe(
      'present',
    );
  });
});
