/**
 * A process of spectators for the fanout benchmark: joins `count` anonymous
 * spectators to a race, counts the bytes each receives, and for the first
 * `sampled` of them notes when each entry's sample count changed (to match
 * against the frames' creation times). Prints `{"ready":true}` once all have
 * joined, and its figures as one JSON line when the race finishes.
 * Usage: node bench/fanout.spectators.ts <server url> <room id> <count> <sampled>
 */
import { Client, type Room } from '@colyseus/sdk';
import type { RaceState } from '../shared/race.state.ts';

const [url, roomId, countArg, sampledArg] = process.argv.slice(2);
const count = Number(countArg);
const sampled = Number(sampledArg);
if (!url || !roomId || !(count > 0)) {
  console.error('usage: node bench/fanout.spectators.ts <server url> <room id> <count> <sampled>');
  process.exit(2);
}

const client = new Client(url);
const bytes: number[] = [];
const seen: Array<[runId: string, samples: number, at: number]> = [];
const rooms: Room<any, RaceState>[] = [];

async function join(i: number): Promise<void> {
  const room = await client.joinById<RaceState>(roomId!, { role: 'spectator', name: `watcher-${i}` });
  room.reconnection.enabled = false;
  bytes[i] = 0;
  const ws = (room.connection.transport as unknown as { ws: { addEventListener(t: string, cb: (e: { data: ArrayBuffer | Buffer }) => void): void } }).ws;
  ws.addEventListener('message', (e) => (bytes[i]! += (e.data as ArrayBuffer).byteLength ?? 0));
  if (i < sampled) {
    const last = new Map<string, number>();
    room.onStateChange((state) => {
      const at = performance.timeOrigin + performance.now();
      state.entries?.forEach((e) => {
        if (e.runId && e.samples !== last.get(e.runId)) {
          last.set(e.runId, e.samples);
          seen.push([e.runId, e.samples, at]);
        }
      });
    });
  }
  room.onMessage('*', () => {});
  rooms.push(room);
}

// Join in small waves, as a crowd arriving, without flooding the matchmaker.
for (let i = 0; i < count; i += 25) await Promise.all(Array.from({ length: Math.min(25, count - i) }, (_, k) => join(i + k)));
const joinedAt = performance.now();
const bytesAtJoin = bytes.reduce((a, b) => a + b, 0);
console.log(JSON.stringify({ ready: true }));

await new Promise<void>((resolve) => {
  const check = setInterval(() => {
    if (rooms[0]?.state.phase === 'finished') {
      clearInterval(check);
      resolve();
    }
  }, 50);
});
const seconds = (performance.now() - joinedAt) / 1000;
const total = bytes.reduce((a, b) => a + b, 0) - bytesAtJoin;
console.log(JSON.stringify({ done: true, spectators: count, seconds, bytesPerSecPerSpectator: total / count / seconds, seen }));
await Promise.all(rooms.map((r) => r.leave().catch(() => {})));
process.exit(0);
