// Server-sent events over fetch (EventSource cannot send an Authorization header, and the
// token must not go in a URL where logs keep it). The parser follows the SSE format: events
// separated by a blank line, `event:` and `data:` fields, `:` comments ignored.
import { authFetch } from './api.js';

export interface SseEvent {
  event: string;
  data: string;
}

/** Feeds text chunks; returns the complete events and keeps the unfinished rest. */
export class SseParser {
  private buffer = '';

  push(chunk: string): SseEvent[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const out: SseEvent[] = [];
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) return out;
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) out.push({ event, data: data.join('\n') });
    }
  }
}

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'stopped';

/**
 * Keeps a stream open: reconnects after an `end` (token expiry: a fresh token is fetched) or
 * a network failure, with a short pause; stops for good on 403/404 or when `close` is called.
 */
export function openLiveStream(
  path: string,
  handlers: { onEvent(e: SseEvent): void; onStatus(s: LiveStatus, detail?: string): void },
): () => void {
  let stopped = false;
  const controller = { current: null as AbortController | null };
  const run = async () => {
    let failures = 0;
    while (!stopped) {
      handlers.onStatus(failures === 0 ? 'connecting' : 'reconnecting');
      const ac = new AbortController();
      controller.current = ac;
      try {
        const res = await authFetch(path, { headers: { accept: 'text/event-stream' }, signal: ac.signal });
        if (res.status === 403 || res.status === 404) {
          handlers.onStatus('stopped', res.status === 403 ? 'Not your class' : 'Session not found');
          return;
        }
        if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        const parser = new SseParser();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const e of parser.push(value)) {
            if (e.event === 'report') {
              failures = 0;
              handlers.onStatus('live');
            }
            handlers.onEvent(e);
          }
        }
      } catch (err) {
        if (stopped) return;
        if (err instanceof Error && 'code' in err && (err as { code: string }).code === 'signed_out') {
          handlers.onStatus('stopped', err.message);
          return;
        }
      }
      failures += 1;
      if (!stopped) await new Promise((r) => setTimeout(r, Math.min(1000 * failures, 10_000)));
    }
  };
  void run();
  return () => {
    stopped = true;
    controller.current?.abort();
    handlers.onStatus('stopped');
  };
}
