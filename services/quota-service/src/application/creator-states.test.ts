import { describe, expect, it } from 'vitest';
import { initialCreatorQuotaState } from '../domain/creator-quota.ts';
import { createCreatorStates } from './creator-states.ts';

const folded = (version: number) => ({ state: initialCreatorQuotaState(), version });

describe('createCreatorStates', () => {
  it('keeps the newest fold of a stream; an older one never replaces it', () => {
    const states = createCreatorStates();
    states.set('s', folded(3));
    states.set('s', folded(2));
    expect(states.get('s')?.version).toBe(3);
    states.set('s', folded(5));
    expect(states.get('s')?.version).toBe(5);
  });
  it('forgets the least recently used stream beyond its bound', () => {
    const states = createCreatorStates(2);
    states.set('a', folded(1));
    states.set('b', folded(1));
    states.get('a');
    states.set('c', folded(1));
    expect(states.get('b')).toBeUndefined();
    expect(states.get('a')?.version).toBe(1);
    expect(states.get('c')?.version).toBe(1);
  });
});
