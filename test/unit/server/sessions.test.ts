// The HTTP session table: idle expiry, and at the cap which session makes room (the least
// recently used idle one) or that none can (every session has a request in flight).
import { describe, expect, it } from 'vitest';
import { SessionTable } from '../../../src/server/sessions.js';

function table(max: number, idleMs = 60_000): { sessions: SessionTable<string>; clock: { now: number } } {
  const clock = { now: 1_000 };
  return { sessions: new SessionTable<string>(max, idleMs, () => clock.now), clock };
}

describe('SessionTable admission at the cap', () => {
  it('admits while below the cap', () => {
    const { sessions } = table(2);
    expect(sessions.admit()).toEqual({ kind: 'room' });
    sessions.add('a', 'A');
    expect(sessions.admit()).toEqual({ kind: 'room' });
  });

  it('at the cap names the least recently used idle session, by last use not by age', () => {
    const { sessions, clock } = table(3);
    for (const id of ['a', 'b', 'c']) {
      sessions.add(id, id);
      clock.now += 10;
    }
    expect(sessions.admit()).toEqual({ kind: 'evict', id: 'a' });
    sessions.begin('a')(); // a request on 'a' makes it the most recently used
    clock.now += 10;
    expect(sessions.admit()).toEqual({ kind: 'evict', id: 'b' });
  });

  it('never names a busy session, and is full when every session is busy', () => {
    const { sessions, clock } = table(2);
    sessions.add('a', 'A');
    clock.now += 10;
    sessions.add('b', 'B');
    const endA = sessions.begin('a');
    expect(sessions.admit()).toEqual({ kind: 'evict', id: 'b' });
    const endB = sessions.begin('b');
    expect(sessions.admit()).toEqual({ kind: 'full' });
    endB();
    endB(); // ending twice does not make it look idle twice
    expect(sessions.get('b')?.busy).toBe(0);
    expect(sessions.admit()).toEqual({ kind: 'evict', id: 'b' });
    endA();
  });

  it('counts sessions still initializing against the cap', () => {
    const { sessions } = table(1);
    sessions.reserve();
    expect(sessions.admit()).toEqual({ kind: 'full' });
    sessions.release();
    expect(sessions.admit()).toEqual({ kind: 'room' });
  });
});

describe('SessionTable idle expiry', () => {
  it('expires sessions unused for longer than the idle timeout, but not busy ones', () => {
    const { sessions, clock } = table(10, 1_000);
    sessions.add('idle', 'x');
    sessions.add('busy', 'y');
    sessions.add('fresh', 'z');
    const end = sessions.begin('busy');
    clock.now += 1_500;
    sessions.begin('fresh')();
    expect(sessions.expired()).toEqual(['idle']);
    end();
    clock.now += 1_001;
    expect(sessions.expired().sort()).toEqual(['busy', 'fresh', 'idle']);
  });

  it('delete removes the session so it is neither found nor counted', () => {
    const { sessions } = table(1);
    sessions.add('a', 'A');
    expect(sessions.delete('a')?.value).toBe('A');
    expect(sessions.get('a')).toBeUndefined();
    expect(sessions.size).toBe(0);
    expect(sessions.admit()).toEqual({ kind: 'room' });
  });
});
