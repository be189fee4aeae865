// Errors keep their class and code across the worker boundary: the photo import tells an engine
// that is down (EngineError) from a bad file (ImageInputError) and from an error on one image.
import { describe, expect, it } from 'vitest';
import { EngineError, ImageInputError } from './errors.js';
import { deserializeError, serializeError } from './worker-protocol.js';

const across = (err: unknown) => deserializeError(serializeError(err));

describe('errors across the worker boundary', () => {
  it('an ImageInputError and an EngineError arrive as themselves, with their code', () => {
    const input = across(new ImageInputError('truncated', 'the image is truncated'));
    expect(input).toBeInstanceOf(ImageInputError);
    expect(input).toMatchObject({ code: 'truncated', message: 'the image is truncated' });
    const engine = across(new EngineError('disposed', 'face engine is disposed'));
    expect(engine).toBeInstanceOf(EngineError);
    expect(engine).toMatchObject({ code: 'disposed', message: 'face engine is disposed' });
  });

  it("any other error (a model's, tfjs's) arrives as a plain Error with its name and message", () => {
    const other = across(new TypeError('Cannot read properties of undefined'));
    expect(other).not.toBeInstanceOf(EngineError);
    expect(other).toMatchObject({ name: 'TypeError', message: 'Cannot read properties of undefined' });
  });
});
