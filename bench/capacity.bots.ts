/**
 * A process of bots for the capacity benchmark (bench/capacity.bench.ts): it seats `races` 4-entry
 * races (four guest players through @colyseus/sdk, the CLI's spec templates as `arena race` sends
 * them, one anonymous spectator each), prints `{"ready":true}`, and on a `go <spreadMs>` line on
 * stdin gets each race's players ready, the races' starts spread evenly over `spreadMs`. It prints
 * one JSON line `{"done":true,…}` when every race has ended or timed out: for each race when its
 * spectator saw training start and the race finish, and when each entry's sample count changed in
 * the spectator's state (wall clock: the server's frames carry theirs, on the same machine); and the
 * CPU this process used.
 *
 * Usage: node bench/capacity.bots.ts <config JSON> (see BotsConfig)
 */
import { createInterface } from 'node:readline';
import { Client, type Room } from '@colyseus/sdk';
import type { RaceState } from '../shared/race.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { botClient } from '../cli/bot-client.ts';
import { BotsConfig, ENTRIES, type RaceSeen } from './capacity.wire.ts';

const config = BotsConfig.parse(JSON.parse(process.argv[2] ?? '{}'));
console.info = console.warn; // the SDK's reconnection chatter goes to stderr; stdout carries only JSON lines

interface Seated {
  players: Room<any, RaceState>[];
  spectator: Room<any, RaceState>;
  seen: RaceSeen;
}

async function seatRace(k: number): Promise<Seated> {
  const server = config.servers[k % config.servers.length]!;
  const name = (i: number) => `cap${config.index}-${k}-${i}`;
  const players: Room<any, RaceState>[] = [];
  const host = await (await botClient(server, name(1))).create<RaceState>('race', {
    task: { name: 'spiral' },
    budget: config.budget,
    paceSeconds: config.paceSeconds,
    minPlayers: ENTRIES,
    maxPlayers: ENTRIES,
    countdownSeconds: 60,
  });
  players.push(host);
  for (let i = 2; i <= ENTRIES; i++) players.push(await (await botClient(server, name(i))).joinById<RaceState>(host.roomId, {}));
  for (const room of players) {
    room.reconnection.enabled = false;
    room.onMessage('*', () => {});
  }
  const spectator = await new Client(server).joinById<RaceState>(host.roomId, { role: 'spectator', name: `watch${config.index}-${k}` });
  spectator.reconnection.enabled = false;
  spectator.onMessage('*', () => {});
  const seen: RaceSeen = { roomId: host.roomId, server, trainingAt: 0, finishedAt: 0, seen: [] };
  const last = new Map<string, number>();
  spectator.onStateChange((state) => {
    const at = Date.now();
    if (!seen.trainingAt && state.phase === 'training') seen.trainingAt = at;
    if (!seen.finishedAt && state.phase === 'finished') seen.finishedAt = at;
    state.entries?.forEach((e) => {
      if (e.runId && e.samples !== last.get(e.runId)) {
        last.set(e.runId, e.samples);
        seen.seen.push([e.runId, e.samples, at]);
      }
    });
  });
  // Each bot enters the template `arena race` gives its seat.
  players.forEach((room, i) => room.send('spec', { spec: SPEC_TEMPLATES[i % SPEC_TEMPLATES.length]!.spec }));
  const end = Date.now() + 60_000;
  while (![...(host.state.entries?.values() ?? [])].every((e) => e.summary) || (host.state.entries?.size ?? 0) < ENTRIES) {
    if (Date.now() > end) throw new Error(`race ${host.roomId}: the specs were not all accepted within 60 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { players, spectator, seen };
}

// Seat the races a few at a time: a crowd arriving, not one burst of hundreds of handshakes.
const seated: Seated[] = [];
for (let k = 0; k < config.races; k += 5) seated.push(...(await Promise.all(Array.from({ length: Math.min(5, config.races - k) }, (_, j) => seatRace(k + j)))));
console.log(JSON.stringify({ ready: true }));

const spreadMs = await new Promise<number>((resolve) => {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const m = /^go (\d+)$/.exec(line.trim());
    if (m) resolve(Number(m[1]));
  });
});
const cpu0 = process.cpuUsage();
const t0 = performance.now();

await Promise.all(
  seated.map(async (race, k) => {
    await new Promise((r) => setTimeout(r, (k * spreadMs) / config.races));
    for (const p of race.players) p.send('ready', { ready: true });
    const end = Date.now() + config.timeoutSeconds * 1000;
    while (!race.seen.finishedAt) {
      if (Date.now() > end) {
        race.seen.error = `not finished ${config.timeoutSeconds} s after its start`;
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }),
);
const cpu = process.cpuUsage(cpu0);
const seconds = (performance.now() - t0) / 1000;
// Written through and flushed before the exit below: a pipe takes a long line in pieces, and process.exit would cut it.
const report = `${JSON.stringify({ done: true, cpuCores: (cpu.user + cpu.system) / 1e6 / seconds, races: seated.map((r) => r.seen) })}\n`;
await new Promise<void>((resolve, reject) => process.stdout.write(report, (err) => (err ? reject(err) : resolve())));
await Promise.allSettled(seated.flatMap((r) => [...r.players, r.spectator]).map((room) => Promise.race([room.leave(), new Promise((r) => setTimeout(r, 2000))])));
process.exit(0);
