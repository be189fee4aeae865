// What the offline study scripts share: a folder of people (one sub-folder of photos each, as the
// eval protocol lays them out) and how a study stops on bad input.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const IMAGE = /\.(jpe?g|png)$/i;

/** Print the message and exit 2, the scripts' code for "bad input, nothing measured". */
export function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/**
 * The people of `dir` with at least two photos each (a study compares a person's photos with each
 * other), in name order; `_`-prefixed folders are the protocol's own, not people.
 */
export function peopleWithPairs(dir: string): { identity: string; files: string[] }[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    fail(`not a readable folder: ${dir}`);
  }
  return names
    .filter((n) => !n.startsWith('_') && statSync(join(dir, n)).isDirectory())
    .map((identity) => ({
      identity,
      files: readdirSync(join(dir, identity))
        .filter((f) => IMAGE.test(f))
        .sort(),
    }))
    .filter((i) => i.files.length >= 2);
}
