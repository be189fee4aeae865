// What `npm run server:import` adds on stderr when folders were skipped for want of consent:
// the JSON's "skippedNoConsent" names them but not why, nor how to get their faces in. Running
// again with --consent does not: it counts only for students an import creates, and these exist
// now (a run without --consent creates them without one).

import { serverCommand } from '../startup-hints.js';

export function noConsentHint(folders: readonly string[]): string {
  const n = folders.length;
  const shown = folders.slice(0, 10).join(', ') + (n > 10 ? `, … (${n - 10} more)` : '');
  return (
    `${n} folder${n === 1 ? '' : 's'} skipped, no face data stored: no consent on record (${shown}). ` +
    "Record the consent on the student's page in the console or as consent=yes in the roster CSV " +
    `(${serverCommand('import-roster', '<file.csv>')}), then run this import again; --consent counts only for students ` +
    'an import creates.'
  );
}
