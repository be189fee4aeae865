// How much memory one photo upload costs the server: `npx tsx --expose-gc scripts/photo-upload-memory.ts`.
// Sends the largest upload the console route takes (PHOTO_FILES x PHOTO_MB, default 20 x 10 MB)
// over real HTTP to a server built in this process (SQLite in memory, the tests' fake face
// engine, so only the upload's own handling is measured), and prints one JSON object: the
// answer and the peak growth of the process's buffers and RSS over the idle baseline. The
// client streams each file from one small block, so what grows is the server's holding.
// A measurement, run by hand (docs/security.md, finding 31): not a timed unit test.
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { buildTestApp, createUser, login, call, fakeFaceEngine } from '../server/test/app.js';
import { openSqlite } from '../server/src/db/database.js';
import { migrate } from '../server/src/db/migrate.js';

const FILES = Number(process.env.PHOTO_FILES ?? 20);
const FILE_BYTES = Number(process.env.PHOTO_MB ?? 10) * 1024 * 1024;
const MB = 1024 * 1024;
const round = (n: number) => Math.round((n / MB) * 10) / 10;

/** A multipart body of FILES photos of FILE_BYTES each, made as it is read (never whole in memory). */
function* multipartChunks(boundary: string): Generator<Buffer> {
  const block = Buffer.alloc(64 * 1024, 0x5a);
  for (let i = 0; i < FILES; i++) {
    yield Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="photos"; filename="photo-${i}.jpg"\r\n` +
        `Content-Type: image/jpeg\r\n\r\nJPEG-${i}-`,
    );
    const head = `JPEG-${i}-`.length;
    for (let sent = head; sent < FILE_BYTES; sent += block.length)
      yield block.subarray(0, Math.min(block.length, FILE_BYTES - sent));
    yield Buffer.from('\r\n');
  }
  yield Buffer.from(`--${boundary}--\r\n`);
}

const bodyLength = (boundary: string) => {
  let n = 0;
  for (const chunk of multipartChunks(boundary)) n += chunk.length;
  return n;
};

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) process.stderr.write('[photo-upload-memory] run with --expose-gc for a steadier baseline\n');

const database = openSqlite(':memory:');
await migrate(database);
const t = await buildTestApp(database, { faceEngine: fakeFaceEngine(), processMetrics: false });
const admin = await createUser(database, 'admin');
const token = await login(t.app, admin.email, admin.password);
const student = await call<{ id: string }>(t.app, token, 'POST', '/api/students', {
  studentNumber: 'MEM-1',
  name: 'Memory Test',
  consent: true,
});
await t.app.listen({ host: '127.0.0.1', port: 0 });
const { port } = t.app.server.address() as { port: number };

gc?.();
const base = process.memoryUsage();
let peak = { ...base };
const sample = () => {
  const m = process.memoryUsage();
  peak = {
    ...peak,
    rss: Math.max(peak.rss, m.rss),
    arrayBuffers: Math.max(peak.arrayBuffers, m.arrayBuffers),
    heapUsed: Math.max(peak.heapUsed, m.heapUsed),
  };
};
const sampler = setInterval(sample, 5);

const boundary = `----rollcallmem${Date.now().toString(16)}`;
const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
  const req = request(
    {
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/students/${student.id}/photos`,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': bodyLength(boundary),
      },
    },
    (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    },
  );
  req.on('error', reject);
  Readable.from(multipartChunks(boundary)).pipe(req);
});
sample();
clearInterval(sampler);
await t.app.close();
await database.close();

const results = (JSON.parse(answer.body) as { results?: { status: string }[] }).results ?? [];
process.stdout.write(
  JSON.stringify(
    {
      upload: { files: FILES, mbPerFile: round(FILE_BYTES), mbTotal: round(FILES * FILE_BYTES) },
      status: answer.status,
      accepted: results.filter((r) => r.status === 'accepted').length,
      peakGrowthMb: {
        arrayBuffers: round(peak.arrayBuffers - base.arrayBuffers),
        rss: round(peak.rss - base.rss),
        heapUsed: round(peak.heapUsed - base.heapUsed),
      },
    },
    null,
    2,
  ) + '\n',
);
