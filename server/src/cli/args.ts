// Minimal --flag value parsing for the server CLIs (node:util parseArgs, validated with zod by each CLI).
// A refused argument (a mistyped option, a missing value) prints a plain sentence and the usage,
// exit 2, instead of parseArgs's own words.
import { parseArgs } from 'node:util';
import { flagProblem } from '../../../src/contracts/cli-flags.js';

export function flags(
  argv: string[],
  options: Record<string, { type: 'string' | 'boolean' }>,
  usage: string,
  /** Options accepted only to be refused with their own message (create-admin's --password): not advertised. */
  unlisted: readonly string[] = [],
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const problem = flagProblem(
      err,
      Object.keys(options).filter((o) => !unlisted.includes(o)),
    );
    if (problem === null) throw err;
    console.error(`${problem}\n${usage}`);
    process.exit(2);
  }
}
