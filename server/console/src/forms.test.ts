import { describe, expect, it } from 'vitest';
import { ApiError } from './api.js';
import { failureErrors, topMessages } from './forms.js';

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
