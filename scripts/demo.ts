// `npm run demo`: the door scenario on the small committed sample (test/fixtures/demo-faces):
// a real server, a real headless kiosk, real face recognition, and a readable summary.
// Options: --offline, --crash, --seed N, --json (print the scenario's JSON object instead),
// --ui [--ui-port N] (serve the kiosk UI on http://127.0.0.1:N/#token=…, default port 4173, while the
// door runs; open the printed URL, the bridge refuses API calls without its per-launch token).
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runScenario } from './scenario.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      offline: { type: 'boolean' },
      crash: { type: 'boolean' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      ui: { type: 'boolean' },
      'ui-port': { type: 'string' },
    },
    strict: true,
  });
  const faces = join(ROOT, 'test/fixtures/demo-faces');
  if (values.ui && !existsSync(join(ROOT, 'out/renderer/index.html'))) {
    console.log('Building the kiosk UI (out/renderer) first...');
    const { build } = await import('electron-vite');
    await build({ configFile: join(ROOT, 'electron.vite.config.ts'), root: ROOT, logLevel: 'warn' });
  }
  console.log(
    `Rollcall demo: a door kiosk, a server, and people walking in (faces from ${relative(process.cwd(), faces) || '.'}).`,
  );
  console.log(
    'Preparing: server, class, session in progress, students enrolled from photos, kiosk paired...\n',
  );
  const r = await runScenario(
    {
      faces,
      offline: values.offline ?? false,
      crash: values.crash ?? false,
      seed: values.seed ?? 1,
      visit: 30,
      ...(values.ui ? { ui: values['ui-port'] ?? 4173 } : {}),
    },
    (msg) => console.log(`  · ${msg}`),
  );
  if (values.json) {
    console.log(JSON.stringify(r));
    return;
  }
  const n = (k: string) => Number(r[k] ?? 0);
  const ok =
    n('wrong_student') === 0 &&
    n('unknown_marked') === 0 &&
    n('lost') === 0 &&
    n('duplicates_on_server') === 0;
  console.log(`
Result (${String(r.mode)}):
  people at the door        ${n('visits')} (${n('expected_present')} enrolled students, ${n('unknown_visits')} strangers)
  marked present on server  ${n('marked_present')} of ${n('expected_present')}  (correct ${n('correct')}, missed ${n('missed')})
  wrong student marked      ${n('wrong_student')}
  stranger marked           ${n('unknown_marked')}
  lost / duplicated marks   ${n('lost')} / ${n('duplicates_on_server')}
  time to mark (p50 / p95)  ${String(r.time_to_mark_ms_p50)} ms / ${String(r.time_to_mark_ms_p95)} ms
  frames                    ${n('frames')} replayed at ${n('replay_fps')} fps; ${n('frames_analysed')} analysed (${n('fps')} fps), ${n('dropped_frames')} dropped while busy
  took                      ${Math.round(n('total_ms') / 1000)} s

${ok ? 'OK: every mark went to the right student, reached the server once, and nothing was lost.' : `PROBLEM: ${JSON.stringify(r.wrong_details)}`}${
    n('missed')
      ? `\nNote: ${n('missed')} student(s) not marked; recognition ran at ${n('fps')} fps here (load average ${JSON.stringify(r.load_avg_1m)}).`
      : ''
  }`);
  if (!ok) process.exitCode = 1;
}

// Exit explicitly: the server's face engine worker would otherwise keep the process alive.
main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
