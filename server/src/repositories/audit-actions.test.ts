// Every action the server writes to the audit log has its sentence on the console's Audit page and
// a What filter that finds it. The actions are read from the server's own sources (what is handed
// to `writeAudit` as `action`), not from a list kept by hand, so a new action without its words
// fails here. (The console's tests cannot read files: the console is browser code.)
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_KINDS, describeAudit } from '../../console/src/audit-words.js';

const SERVER_SRC = join(import.meta.dirname, '..');

/**
 * Actions built from a value the source does not spell out, and what that value can be. A new
 * one fails the test until it is listed here with its schema's values.
 */
const DYNAMIC: Readonly<Record<string, readonly string[]>> = {
  // CorrectionRequest's kinds (schemas/attendance.ts).
  'attendance.${req.kind}': ['attendance.manual', 'attendance.undo'],
  // A password link's kinds (console/password-links.ts).
  'user.password_set.${claims.kind}': ['user.password_set.invite', 'user.password_set.reset'],
};

const ACTION = /^[a-z_]+(\.[a-z_]+)+$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The expression starting at `from`, up to the first comma or closing bracket outside brackets. */
function expressionAt(src: string, from: number): string {
  let depth = 0;
  let quote: string | null = null;
  for (let i = from; i < src.length; i++) {
    const c = src[i]!;
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) return src.slice(from, i);
      depth--;
    } else if (c === ',' && depth === 0) return src.slice(from, i);
  }
  return src.slice(from);
}

/**
 * The action names an expression can take: its quoted literals shaped like an action, and its
 * template literals, a `${cond ? 'a' : 'b'}` part expanded to both, anything else looked up
 * in DYNAMIC (and reported when missing).
 */
function actionsIn(expression: string, unknown: string[]): string[] {
  const out: string[] = [];
  const templates = [...expression.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);
  const plain = expression.replace(/`[^`]*`/g, '');
  for (const m of plain.matchAll(/'([^']*)'/g)) if (ACTION.test(m[1]!)) out.push(m[1]!);
  for (const t of templates) {
    if (DYNAMIC[t]) {
      out.push(...DYNAMIC[t]);
      continue;
    }
    let names = [''];
    for (const part of t.split(/(\$\{[^}]*\})/)) {
      if (!part.startsWith('${')) {
        names = names.map((n) => n + part);
        continue;
      }
      const choice = /\?\s*'([^']*)'\s*:\s*'([^']*)'\s*\}$/.exec(part);
      if (!choice) {
        unknown.push(t);
        names = [];
        break;
      }
      names = names.flatMap((n) => [n + choice[1], n + choice[2]]);
    }
    out.push(...names);
  }
  return out;
}

function serverActions() {
  const byFile = new Map<string, string[]>();
  const unknown: string[] = [];
  const templatesSeen = new Set<string>();
  for (const path of sourceFiles(SERVER_SRC)) {
    const src = readFileSync(path, 'utf8');
    if (!src.includes('writeAudit')) continue;
    const found: string[] = [];
    // `action: …` in an entry for writeAudit, and a local helper's `audit('…', …)`.
    for (const m of src.matchAll(/\baction:\s*|\baudit\(\s*/g)) {
      const expression = expressionAt(src, m.index + m[0].length);
      for (const t of expression.matchAll(/`([^`]*)`/g)) templatesSeen.add(t[1]!);
      found.push(...actionsIn(expression, unknown));
    }
    byFile.set(relative(SERVER_SRC, path), found);
  }
  return { byFile, unknown, templatesSeen };
}

describe('the actions the server writes to the audit log', () => {
  const { byFile, unknown, templatesSeen } = serverActions();
  const actions = [...new Set([...byFile.values()].flat())].sort();

  it('are all found in the sources', () => {
    // Every file that writes audit rows names at least one action (audit.ts is the writer).
    const silent = [...byFile].filter(([, found]) => found.length === 0).map(([file]) => file);
    expect(silent).toEqual(['repositories/audit.ts']);
    expect(unknown, 'an action built from a value: list what it can be in DYNAMIC').toEqual([]);
    expect(
      Object.keys(DYNAMIC).filter((t) => !templatesSeen.has(t)),
      'stale DYNAMIC entries',
    ).toEqual([]);
    // Spot checks that the reading works: a plain one, a ternary, a template with a choice.
    expect(actions).toEqual(
      expect.arrayContaining(['student.erase', 'templates.delete_all', 'template.delete', 'session.cancel']),
    );
    expect(actions).toEqual(expect.arrayContaining(['term.delete', 'closure.delete', 'template.door_added']));
    expect(actions.length).toBeGreaterThan(40);
  });

  it('each have their words on the Audit page and a What filter that finds them', () => {
    for (const action of actions) {
      const entry = {
        actorKind: 'user',
        actorId: 'u1',
        action,
        entity: 'x',
        entityId: 'x1',
        detail: null,
        names: {},
      };
      expect(describeAudit(entry, 'UTC').sentence, action).not.toContain(`“${action}”`);
      const found = AUDIT_KINDS.filter((k) =>
        k.value.endsWith('.') ? action.startsWith(k.value) : action === k.value,
      );
      expect(found.length, action).toBeGreaterThan(0);
    }
  });
});
