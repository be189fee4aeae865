// The sentence a command-line tool prints when node:util parseArgs refuses its arguments.
// parseArgs's own words ("To specify a positional argument starting with a '-', place it at the
// end of the command after '--'…", or a stack trace when uncaught) tell an admin who mistyped
// `--emial` nothing useful; this names the option, the closest one the command knows, and the
// options it takes. Shared by the server's CLIs and the headless kiosk (no imports: pure text).

/** The refusal as a plain sentence, or null when `err` is not a parseArgs refusal. */
export function flagProblem(err: unknown, known: readonly string[]): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'([^']+)'/.exec(message)?.[1] ?? 'given';
    const name = given.replace(/^-+/, '').split('=')[0] ?? given;
    const near = closest(name, known);
    return (
      `Unknown option ${given}.` +
      (near ? ` Did you mean --${near}?` : '') +
      ` This command takes: ${known.map((k) => `--${k}`).join(', ')}.`
    );
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /'(--[^' ]+)/.exec(message)?.[1];
    if (option && /argument missing/.test(message)) return `${option} needs a value (${option} <value>).`;
    if (option && /does not take an argument/.test(message)) return `${option} takes no value.`;
    return message;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const extra = /'([^']*)'/.exec(message)?.[1];
    return `Unexpected argument${extra ? ` "${extra}"` : ''}: every value follows its option (--option value).`;
  }
  return null;
}

/** The known option nearest to a mistyped one (at most 2 edits, or one is a prefix of the other). */
function closest(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    const prefix = name.length >= 3 && (candidate.startsWith(name) || name.startsWith(candidate));
    if ((d <= 2 || prefix) && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit (`--emial`). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
