// Command-line options of the desktop app, for provisioning a kiosk on first run and for the
// demo: `rollcall --server <url> --pair <code> [--name <kiosk>] [--camera <spec>] [--data <dir>]
// [--windowed]`. Unknown flags (Chromium's own, electron-vite's) are ignored.
import { parseArgs } from 'node:util';
import { z } from 'zod';

const MainArgs = z.object({
  server: z.string().url().optional(),
  pair: z.string().min(4).max(64).optional(),
  name: z.string().min(1).max(120).optional(),
  camera: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
  windowed: z.boolean().default(false),
});
export type MainArgs = z.infer<typeof MainArgs>;

export function parseMainArgs(argv: string[]): MainArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string' },
      pair: { type: 'string' },
      name: { type: 'string' },
      camera: { type: 'string' },
      data: { type: 'string' },
      windowed: { type: 'boolean' },
    },
    strict: false,
    allowPositionals: true,
  });
  const parsed = MainArgs.safeParse(values);
  if (!parsed.success) {
    throw new Error(
      `bad arguments: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
