import { ServerError } from '@colyseus/core';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { claimSeat, parseOptions, seatRefusal, Spectators } from './join-rules.ts';

const words = { started: 'the race has already started: join as a spectator', full: 'the race is full (2 players): join as a spectator', again: 'you already have a seat in this race' };
const who = { playerId: 'p1', name: 'Ada', role: 'player' as const };

describe('join rules', () => {
  it('parses options, refusing a bad one with a 400 that names it', () => {
    const schema = z.object({ budget: z.number().min(100, 'budget must be at least 100').default(500) });
    expect(parseOptions(schema, undefined)).toEqual({ budget: 500 });
    const err = (() => {
      try {
        parseOptions(schema, { budget: 5 });
      } catch (e) {
        return e as ServerError;
      }
    })();
    expect(err).toBeInstanceOf(ServerError);
    expect([err?.code, err?.message]).toEqual([400, 'budget: budget must be at least 100']);
  });

  it('refuses a seat after the start and when full, in the room\'s words', () => {
    expect(seatRefusal({ open: false, seated: 0, capacity: 2, words })?.message).toBe(words.started);
    expect(seatRefusal({ open: true, seated: 2, capacity: 2, words })?.message).toBe(words.full);
    expect(seatRefusal({ open: true, seated: 1, capacity: 2, words })).toBeUndefined();
  });

  it('gives one seat per player: the account is made first, then checked', async () => {
    const made: string[] = [];
    const ensure = async (id: string | undefined, name: string) => (made.push(name), id ?? 'new');
    await expect(claimSeat(who, { open: true, seated: 0, capacity: 2, seatedIds: [], words }, ensure)).resolves.toBe('p1');
    await expect(claimSeat(who, { open: true, seated: 1, capacity: 2, seatedIds: ['p1'], words }, ensure)).rejects.toThrow(words.again);
    await expect(claimSeat(who, { open: false, seated: 0, capacity: 2, seatedIds: [], words }, ensure)).rejects.toMatchObject({ code: 409 });
    expect(made).toEqual(['Ada', 'Ada']); // a refused seat (started) makes no account
  });

  it('counts spectators once each into the target', () => {
    const state = { spectators: 0 };
    const spectators = new Spectators(state);
    spectators.add('a');
    spectators.add('a');
    spectators.add('b');
    expect(state.spectators).toBe(2);
    expect(spectators.remove('a')).toBe(true);
    expect(spectators.remove('zz')).toBe(false);
    expect([state.spectators, spectators.has('b')]).toEqual([1, true]);
  });
});
