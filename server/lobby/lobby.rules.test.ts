import { describe, expect, it } from 'vitest';
import type { LobbyRoomInfo } from '../../shared/lobby.messages.ts';
import { quickJoinPick } from '../../shared/quick-join.ts';
import { matches, roomInfo } from './lobby.rules.ts';

const info = (roomId: string, extra: Partial<LobbyRoomInfo> = {}): LobbyRoomInfo => ({ roomId, kind: 'race', task: 'spiral', phase: 'lobby', players: 1, maxPlayers: 8, spectators: 0, ...extra });

describe('lobby rules', () => {
  it('shows arena rooms from their metadata and leaves out anything else', () => {
    expect(roomInfo({ roomId: 'a', metadata: { kind: 'race', task: 'xor', phase: 'training', players: 3, maxPlayers: 4, spectators: 9, budget: 5000 } })).toEqual({
      roomId: 'a', kind: 'race', task: 'xor', phase: 'training', players: 3, maxPlayers: 4, spectators: 9, budget: 5000,
    });
    expect(roomInfo({ roomId: 'c', metadata: { kind: 'race', task: 'xor', rated: false } })).toMatchObject({ roomId: 'c', rated: false }); // a custom seed says so
    expect(roomInfo({ roomId: 'lobby', metadata: {} })).toBeUndefined();
    expect(roomInfo({ roomId: 'left', metadata: { kind: 'race', present: 0 } }), 'everyone has left').toBeUndefined();
    expect(roomInfo({ roomId: 'here', metadata: { kind: 'race', present: 1 } })).toMatchObject({ roomId: 'here' });
    expect(roomInfo({ roomId: 'odd', metadata: { kind: 'chess' } })).toBeUndefined();
  });

  it('filters by kind and task', () => {
    expect(matches(info('a'), {})).toBe(true);
    expect(matches(info('a'), { kind: 'gan' })).toBe(false);
    expect(matches(info('a'), { kind: 'race', task: 'spiral' })).toBe(true);
    expect(matches(info('a'), { task: 'xor' })).toBe(false);
  });

  it('quick join picks the fullest open room of the kind with a seat left', () => {
    const rooms = [info('full', { players: 8 }), info('started', { phase: 'training', players: 2 }), info('two', { players: 2 }), info('three', { players: 3 }), info('gan', { kind: 'gan', players: 1 })];
    expect(quickJoinPick(rooms, 'race')?.roomId).toBe('three');
    expect(quickJoinPick(rooms, 'tournament')).toBeUndefined();
  });
});
