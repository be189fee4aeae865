import { describe, expect, it } from 'vitest';
import { parseMainArgs } from './main-args.js';

describe('parseMainArgs', () => {
  it('reads the provisioning options and ignores Chromium flags and positionals', () => {
    expect(
      parseMainArgs([
        '.',
        '--server',
        'http://10.0.0.5:8000',
        '--pair',
        'ABCD-1234',
        '--camera',
        'push',
        '--windowed',
        '--no-sandbox',
      ]),
    ).toEqual({
      server: 'http://10.0.0.5:8000',
      pair: 'ABCD-1234',
      camera: 'push',
      windowed: true,
    });
    expect(parseMainArgs([])).toEqual({ windowed: false });
  });
  it('refuses a bad server URL with a clear message', () => {
    expect(() => parseMainArgs(['--server', 'not a url'])).toThrow(/--server/);
  });
});
