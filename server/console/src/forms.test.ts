import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LocalDate, LocalTime } from '../../../src/contracts/sync.js';
import { CorrectionRequest } from '../../src/schemas/attendance.js';
import { ApiError } from './api.js';
import { failureErrors, topMessages, validate } from './forms.js';

describe('validate', () => {
  it('says what is wrong with a field in plain words, not in zod terms', () => {
    const r = validate(CorrectionRequest, {
      kind: 'manual',
      sessionId: 'sched@2026-12-07',
      studentId: 's1',
      status: 'present',
      reason: '  ',
    });
    expect(r).toEqual({ ok: false, errors: { reason: 'Required.' } });
  });

  it('words a time or a date the contract refuses as a person would write them', () => {
    const Lesson = z.object({ startTime: LocalTime, date: LocalDate, endTime: LocalTime });
    expect(validate(Lesson, { startTime: '8:15 AM', date: '07/12/2026', endTime: '' })).toEqual({
      ok: false,
      errors: {
        startTime: 'A time on the 24-hour clock, like 08:15.',
        date: 'Choose a day.',
        endTime: 'Required.',
      },
    });
  });

  it('words lengths, numbers, missing values and emails', () => {
    const Form = z.object({
      password: z.string().min(10),
      name: z.string().max(3),
      minutes: z.coerce.number().int().min(5).max(600),
      count: z.number(),
      email: z.email(),
    });
    const r = validate(Form, { password: 'short', name: 'Ada Lovelace', minutes: '1', email: 'ada' });
    expect(r).toEqual({
      ok: false,
      errors: {
        password: 'At least 10 characters.',
        name: 'At most 3 characters.',
        minutes: 'At least 5.',
        count: 'Required.',
        email: 'Not an email address.',
      },
    });
    const errors = validate(Form, {
      password: 'long enough!',
      name: 'A',
      minutes: 'soon',
      count: 1,
      email: 'a@b.example',
    });
    expect(errors).toEqual({ ok: false, errors: { minutes: 'A number is needed.' } });
  });

  it("keeps a schema's own message", () => {
    expect(validate(z.object({ pin: z.string().min(6, 'Six digits at least') }), { pin: '1' })).toEqual({
      ok: false,
      errors: { pin: 'Six digits at least' },
    });
  });
});

describe('failureErrors', () => {
  it('shows a business-rule 400 beside the field it names, not again at the top', () => {
    const message = 'the session cannot move to a day off (holiday or outside term)';
    const err = new ApiError(400, 'day_off', message, [{ path: 'toDate', message }]);
    expect(failureErrors(err)).toEqual({ toDate: message });
  });

  it("shows a schema 400's issues beside their fields, not its summary at the top", () => {
    const err = new ApiError(400, 'validation_failed', 'Invalid body: name Required; endTime Too late', [
      { path: 'name', message: 'Required' },
      { path: 'endTime', message: 'Too late' },
    ]);
    expect(failureErrors(err)).toEqual({ name: 'Required', endTime: 'Too late' });
  });

  it('puts an error that names no field at the top', () => {
    expect(failureErrors(new ApiError(409, 'conflict', 'Already exists'))).toEqual({
      _form: 'Already exists',
    });
    expect(
      failureErrors(new ApiError(400, 'x', 'Whole body', [{ path: '', message: 'Whole body' }])),
    ).toEqual({
      _form: 'Whole body',
    });
    expect(failureErrors(new Error('offline'))).toEqual({ _form: 'offline' });
  });
});

describe('topMessages', () => {
  it('leaves out what a field already shows', () => {
    expect(topMessages({ toDate: 'day off' }, ['day off'])).toEqual([]);
  });

  it("shows an error about a field the form does not have, once, after the form's own", () => {
    expect(
      topMessages({ studentIds: 'unknown student', _form: 'Refused', other: 'unknown student' }, []),
    ).toEqual(['Refused', 'unknown student']);
  });

  it('shows nothing without errors', () => {
    expect(topMessages({}, [])).toEqual([]);
  });
});
