// Minimal --flag value parsing for the server CLIs (node:util parseArgs, validated with zod by each CLI).
import { parseArgs } from 'node:util';

export function flags(argv: string[], options: Record<string, { type: 'string' | 'boolean' }>) {
  return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
}
