import { describe, expect, it } from 'vitest';
import type { LobbyRoomInfo } from './lobby.messages.ts';
import { quickJoinPick } from './quick-join.ts';

const room = (roomId: string, over: Partial<LobbyRoomInfo>): LobbyRoomInfo => ({ roomId, kind: 'race', task: 'spiral', phase: 'lobby', players: 1, maxPlayers: 8, spectators: 0, ...over });

describe('quickJoinPick', () => {
  const rooms = [
    room('full', { players: 8 }),
    room('playing', { phase: 'training', players: 2 }),
    room('spiral-3', { players: 3 }),
    room('moons-1', { task: 'moons', players: 1 }),
    room('moons-2', { task: 'moons', players: 2 }),
    room('cup', { kind: 'tournament', task: 'moons', players: 5, maxPlayers: 32 }),
  ];

  it('picks the fullest open race with a free seat, of any task', () => {
    expect(quickJoinPick(rooms, 'race')?.roomId).toBe('spiral-3');
  });

  it('keeps to a task when given one (after "Next race"), and finds none when no open race has it', () => {
    expect(quickJoinPick(rooms, 'race', 'moons')?.roomId).toBe('moons-2');
    expect(quickJoinPick(rooms, 'race', 'xor')).toBeUndefined();
    expect(quickJoinPick(rooms, 'tournament', 'moons')?.roomId).toBe('cup');
  });
});
