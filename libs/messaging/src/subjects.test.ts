import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assertSubject, namePrefix, normalizePrefix, subjectMatches } from './subjects.ts';

describe('subjectMatches (NATS wildcard semantics)', () => {
  it.each([
    ['a.b.c', 'a.b.c', true],
    ['a.b.c', 'a.b', false],
    ['a.*.c', 'a.x.c', true],
    ['a.*.c', 'a.x.y.c', false],
    ['a.*', 'a', false],
    ['a.>', 'a.b', true],
    ['a.>', 'a.b.c.d', true],
    ['a.>', 'a', false],
    ['>', 'anything.at.all', true],
    ['*.b.>', 'x.b.c', true],
    ['*.b.>', 'x.c.c', false],
  ])('%s vs %s → %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });

  it('a literal subject matches itself and `>` always matches', () => {
    const token = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
    fc.assert(fc.property(fc.array(token, { minLength: 1, maxLength: 6 }), (tokens) => {
      const s = tokens.join('.');
      return subjectMatches(s, s) && subjectMatches('>', s) && subjectMatches(tokens.map(() => '*').join('.'), s);
    }));
  });
});

describe('subject and name validation', () => {
  it('rejects subjects NATS would refuse', () => {
    for (const bad of ['', 'a..b', 'a b', 'a.>.b', 'a.b*', '.a']) expect(() => assertSubject(bad, true)).toThrow(/invalid subject/);
    expect(() => assertSubject('a.*', false)).toThrow(/invalid subject/);
    expect(() => assertSubject('a.*.>', true)).not.toThrow();
  });

  it('derives dot-free stream name prefixes', () => {
    expect(normalizePrefix('t1a2b3')).toBe('t1a2b3.');
    expect(normalizePrefix('t1a2b3.')).toBe('t1a2b3.');
    expect(normalizePrefix(undefined)).toBe('');
    expect(namePrefix('t1a2b3.')).toBe('t1a2b3_');
    expect(namePrefix('env.t1.')).toBe('env_t1_');
    expect(namePrefix('')).toBe('');
  });
});
