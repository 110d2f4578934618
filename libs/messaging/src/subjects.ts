/**
 * Subject and name helpers shared by both adapters: NATS wildcard matching (used by the
 * in-process adapter to behave like a NATS server) and the test-isolation prefix.
 */

/**
 * True when `subject` matches the NATS `pattern`: `*` matches exactly one token, `>` (last token
 * only) matches one or more remaining tokens.
 * @example
 * subjectMatches('tiktok.share.>', 'tiktok.share.requested.v1'); // true
 * subjectMatches('tiktok.*.requested.v1', 'tiktok.share.requested.v1'); // true
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  // Most patterns are literal subjects (RPC ops): compare strings, no token split.
  if (pattern === subject) return true;
  if (!hasWildcard(pattern)) return false;
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return i === p.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}

/** True when the pattern contains a `*` or `>` wildcard character. */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('>');
}

/**
 * Throws on subjects NATS would refuse: empty tokens, whitespace, `>` not in last position.
 * Wildcards are allowed only when `allowWildcards` (filters and subscriptions, not publishes).
 */
export function assertSubject(subject: string, allowWildcards: boolean): void {
  const tokens = subject.split('.');
  const bad = subject.length === 0 || /\s/.test(subject) || tokens.some((t, i) =>
    t.length === 0 ||
    ((t === '*' || t === '>') && !allowWildcards) ||
    (t === '>' && i !== tokens.length - 1) ||
    (t.length > 1 && (t.includes('*') || t.includes('>'))));
  if (bad) throw new Error(`invalid subject: ${JSON.stringify(subject)}`);
}

/**
 * Turns a subject prefix (`t1a2b3c4d5.`) into a token usable inside stream and durable names,
 * which may not contain dots, wildcards or whitespace (`t1a2b3c4d5_`). Empty prefix → empty.
 */
export function namePrefix(prefix: string): string {
  const core = prefix.replace(/\.+$/, '').replace(/[^A-Za-z0-9_-]/g, '_');
  return core.length === 0 ? '' : `${core}_`;
}

/** Normalises a user-given prefix so it ends with exactly one dot (`t1` → `t1.`); '' stays ''. */
export function normalizePrefix(prefix: string | undefined): string {
  if (!prefix) return '';
  const trimmed = prefix.replace(/\.+$/, '');
  assertSubject(trimmed, false);
  return `${trimmed}.`;
}
