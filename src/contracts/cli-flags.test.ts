import { describe, expect, it } from 'vitest';
import { flagProblem } from './cli-flags.js';

// node:util parseArgs's refusals, as Node 20 words them (contracts may not import Node modules;
// server/src/cli/args.test.ts and src/core/cli/kiosk.test.ts run the real parseArgs).
const known = ['email', 'name', 'consent'];
const nodeRefusal = (code: string, message: string) => Object.assign(new TypeError(message), { code });
const PARSE_ARGS: Record<string, Error> = {
  '--emial': nodeRefusal(
    'ERR_PARSE_ARGS_UNKNOWN_OPTION',
    "Unknown option '--emial'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--emial\"",
  ),
  '--consnet': nodeRefusal('ERR_PARSE_ARGS_UNKNOWN_OPTION', "Unknown option '--consnet'. To specify …"),
  '--password': nodeRefusal('ERR_PARSE_ARGS_UNKNOWN_OPTION', "Unknown option '--password'. To specify …"),
  '--email': nodeRefusal('ERR_PARSE_ARGS_INVALID_OPTION_VALUE', "Option '--email <value>' argument missing"),
  '--consent=yes': nodeRefusal(
    'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
    "Option '--consent' does not take an argument",
  ),
  stray: nodeRefusal(
    'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL',
    "Unexpected argument 'stray'. This command does not take positional arguments",
  ),
};
const refusal = (args: string[]) => flagProblem(PARSE_ARGS[args[0]!], known);

describe('flagProblem', () => {
  it('names a mistyped option, the one it was probably meant to be, and the options there are', () => {
    expect(refusal(['--emial', 'a@b.example'])).toBe(
      'Unknown option --emial. Did you mean --email? This command takes: --email, --name, --consent.',
    );
    expect(refusal(['--consnet'])).toContain('Did you mean --consent?');
  });

  it('suggests nothing for an option unlike any it knows', () => {
    expect(refusal(['--password', 'x'])).toBe(
      'Unknown option --password. This command takes: --email, --name, --consent.',
    );
  });

  it('says which option lacks its value, or takes none', () => {
    expect(refusal(['--email'])).toBe('--email needs a value (--email <value>).');
    expect(refusal(['--consent=yes'])).toBe('--consent takes no value.');
  });

  it('explains a stray argument', () => {
    expect(refusal(['stray'])).toBe(
      'Unexpected argument "stray": every value follows its option (--option value).',
    );
  });

  it('leaves other errors alone', () => {
    expect(flagProblem(new Error('boom'), known)).toBeNull();
    expect(flagProblem(null, known)).toBeNull();
  });
});
