import { parseArgs } from 'node:util';
import type { Room } from '@colyseus/sdk';
import { z } from 'zod';
import type { RaceErrorMessage, RaceResultMessage } from '../shared/race.messages.ts';
import type { RaceState } from '../shared/race.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { TaskName } from '../shared/task.schema.ts';
import { describeZodError } from '../shared/validation.ts';
import { botClient, type BotClient } from './bot-client.ts';
import { describeError } from './describe-error.ts';
import { progressLine, writeProgress } from './progress-bar.ts';
import { bestSoFar, curvePoints, etaOf, etaText, RateWindow } from '../shared/run-outlook.ts';
import { UsageError } from './usage-error.ts';

export const RACE_USAGE = `arena race --server URL [--players 4] [--task spiral] [--budget 20000] [--seed S] [--timeout 600] [--json]
  N bots join one race on a running server through @colyseus/sdk, each with its own network,
  play it to the end and print {"matchId":…,"ranking":[{"player":…,"valAccuracy":…},…]}.
  Without --seed the server draws the seed (a rated race); --seed S makes it custom and unrated.`;

const Args = z.object({
  server: z.string().url('--server must be a URL such as http://localhost:2567'),
  players: z.coerce.number().int().min(2, '--players must be at least 2').max(8, '--players must be at most 8').default(4),
  task: TaskName.default('spiral'),
  budget: z.coerce.number().int().min(100).default(20_000),
  seed: z.coerce.number().int().min(0).max(2 ** 31 - 1).optional(),
  timeout: z.coerce.number().min(1).default(600),
  json: z.boolean().default(false),
});

/** How long the bots wait for the server to see them leave, in ms. */
const LEAVE_WAIT_MS = 2000;

/** Seats a bot: a create or join that fails says which bot and why, never nothing. */
async function seat(client: BotClient, name: string, enter: (client: BotClient) => Promise<Room<any, RaceState>>): Promise<Room<any, RaceState>> {
  try {
    return await enter(client);
  } catch (err) {
    throw new Error(`${name} could not get a seat in the race: ${client.joinFailure(err)}`, { cause: err });
  }
}

/** `arena race`: bots play one race against a running server. */
export async function raceCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string' },
      players: { type: 'string' },
      task: { type: 'string' },
      budget: { type: 'string' },
      seed: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) throw new UsageError(describeZodError(parsed.error).message);
  const args = parsed.data;

  // The SDK reports dropped connections and its reconnection attempts through console.info: diagnostics, for
  // stderr; stdout carries only the result (one JSON line with --json).
  console.info = console.warn;
  const rooms: Room<any, RaceState>[] = [];
  try {
    const host = await seat(await botClient(args.server, 'bot-1'), 'bot-1', (c) =>
      c.create<RaceState>('race', {
        task: { name: args.task },
        budget: args.budget,
        seed: args.seed,
        minPlayers: args.players,
        maxPlayers: args.players,
        countdownSeconds: 60,
      }),
    );
    // The room greets each player as it joins: listen before anything else is awaited.
    const seated = (room: Room<any, RaceState>) => {
      room.onMessage('welcome', () => {});
      rooms.push(room);
    };
    seated(host);
    for (let i = 2; i <= args.players; i++) seated(await seat(await botClient(args.server, `bot-${i}`), `bot-${i}`, (c) => c.joinById<RaceState>(host.roomId, {})));

    const result = new Promise<RaceResultMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the race did not finish within ${args.timeout}s`)), args.timeout * 1000);
      host.onMessage('result', (msg: RaceResultMessage) => {
        clearTimeout(timer);
        resolve(msg);
      });
      for (const room of rooms) {
        if (room !== host) room.onMessage('result', () => {});
        room.onMessage('error', (err: RaceErrorMessage) => {
          clearTimeout(timer);
          reject(new Error(`the server refused a bot's message: ${describeError(err)}`));
        });
        room.onLeave((code, reason) => {
          clearTimeout(timer);
          reject(new Error(`the connection to the race closed before it ended: ${describeError({ code, reason })}`));
        });
      }
    });

    if (process.stderr.isTTY && !args.json) {
      const rate = new RateWindow();
      host.onStateChange((state) => {
        const entries = [...state.entries.values()];
        const done = entries.reduce((a, e) => a + e.samples, 0);
        const total = args.budget * entries.length;
        rate.observe(performance.now(), done);
        const best = Math.max(0, ...entries.map((e) => bestSoFar(curvePoints(e.curveSamples, e.curveValAccuracy))?.value ?? e.valAccuracy));
        const eta = state.phase === 'training' ? etaText(etaOf(rate, { samples: done, budget: total })) : '';
        writeProgress(process.stderr, progressLine(done, total, eta, `${state.phase} · best val acc ${(best * 100).toFixed(1)}%`));
      });
    }

    rooms.forEach((room, i) => {
      const template = SPEC_TEMPLATES[i % SPEC_TEMPLATES.length]!;
      room.send('spec', { spec: template.spec });
      room.send('ready', { ready: true });
    });

    const outcome = await result;
    if (process.stderr.isTTY && !args.json) process.stderr.write('\n');
    const line = { matchId: outcome.matchId, roomId: host.roomId, ranking: outcome.ranking };
    if (args.json) process.stdout.write(`${JSON.stringify(line)}\n`);
    else {
      process.stdout.write(`match ${outcome.matchId ?? '(not stored)'}\n`);
      for (const r of outcome.ranking) {
        process.stdout.write(`${String(r.rank).padStart(2)}. ${r.player.padEnd(8)} held-out ${(r.heldOutAccuracy * 100).toFixed(1)}%  validation ${(r.valAccuracy * 100).toFixed(1)}%\n`);
      }
    }
  } finally {
    // leave() resolves when the server answers: only on an open connection, and not waited for long
    const left = Promise.allSettled(rooms.filter((r) => r.connection?.isOpen).map((r) => r.leave()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([left, new Promise((r) => (timer = setTimeout(r, LEAVE_WAIT_MS)))]);
    clearTimeout(timer);
  }
}
