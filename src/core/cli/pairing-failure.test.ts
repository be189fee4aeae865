import { describe, expect, it } from 'vitest';
import { SyncError } from '../../sync/index.js';
import { pairingFailureMessage } from './pairing-failure.js';

describe('pairingFailureMessage', () => {
  it('tells an admin what to check when the server cannot be reached', () => {
    const m = pairingFailureMessage(
      new SyncError('offline', 'server unreachable (ECONNREFUSED)'),
      'http://192.168.1.20:8000/',
    );
    expect(m).toMatch(/^server unreachable \(ECONNREFUSED\)\. Check that the server is running/);
    expect(m).toContain('http://192.168.1.20:8000/health');
    expect(m).toContain('HOST=0.0.0.0');
    expect(m).toContain('The code was not used up');
  });

  it('says the same for a server that does not answer in time, without promising the code is unused', () => {
    const timeout = new SyncError('timeout', 'no answer within 10000 ms');
    expect(pairingFailureMessage(timeout, 'http://s:8000')).toContain('Check that the server is running');
    // An answer that came too late may follow a pairing that happened: the code may be used.
    expect(pairingFailureMessage(timeout, 'http://s:8000')).not.toContain('not used up');
    expect(pairingFailureMessage(timeout, 'http://s:8000')).toContain(
      'the server may have used it: make a new one',
    );
    expect(pairingFailureMessage(timeout, 'http://s:8000', false)).not.toMatch(/not used up|make a new one/);
  });

  it('keeps a refusal by the server as it is: that message already says what to do', () => {
    const refused = new SyncError(
      'unauthorised',
      'pairing code refused (…): make a new code in the staff console',
    );
    expect(pairingFailureMessage(refused, 'http://s:8000')).toBe(refused.message);
    expect(pairingFailureMessage(new Error('not paired: give --server and --pair'), undefined)).toBe(
      'not paired: give --server and --pair',
    );
  });
});
