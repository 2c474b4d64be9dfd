import { parseArgs } from 'node:util';
import type { Room } from '@colyseus/sdk';
import { z } from 'zod';
import type { RoomNoticeMessage } from '../shared/protocol.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { TaskName } from '../shared/task.schema.ts';
import { TournamentFormat, type TournamentErrorMessage, type TournamentResultMessage } from '../shared/tournament.messages.ts';
import type { TournamentState } from '../shared/tournament.state.ts';
import { describeZodError } from '../shared/validation.ts';
import { botClient, type BotClient } from './bot-client.ts';
import { describeError } from './describe-error.ts';
import { UsageError } from './usage-error.ts';

export const TOURNAMENT_USAGE = `arena tournament --server URL [--players 4] [--format single_elimination|swiss] [--rounds R] [--task spiral] [--budget 5000] [--break 1] [--seed S] [--timeout 900] [--json]
  N bots (4–32) fill one tournament on a running server through @colyseus/sdk, each with its own network,
  play every round to the champion and print {"tournamentId":…,"champion":…,"ranking":[…],"matchIds":[…]}.
  --rounds: Swiss only (default ⌈log2 N⌉). Without --seed every match's seed is drawn by the server (rated);
  --seed S makes the tournament custom and unrated.`;

const Args = z.object({
  server: z.string().url('--server must be a URL such as http://localhost:2567'),
  players: z.coerce.number().int().min(4, '--players must be at least 4').max(32, '--players must be at most 32').default(4),
  format: z.enum([TournamentFormat.SingleElimination, TournamentFormat.Swiss], { error: '--format must be single_elimination or swiss' }).default(TournamentFormat.SingleElimination),
  rounds: z.coerce.number().int().min(1).max(10).optional(),
  task: TaskName.default('spiral'),
  budget: z.coerce.number().int().min(100).max(5_000_000).default(5_000),
  break: z.coerce.number().int().min(0).max(300).default(1),
  seed: z.coerce.number().int().min(0).max(2 ** 31 - 1).optional(),
  timeout: z.coerce.number().min(1).default(900),
  json: z.boolean().default(false),
});

/** How long the bots wait for the server to see them leave, in ms. */
const LEAVE_WAIT_MS = 2000;

/** Seats a bot: a create or join that fails says which bot and why, never nothing. */
async function seat(client: BotClient, name: string, enter: (client: BotClient) => Promise<Room<any, TournamentState>>): Promise<Room<any, TournamentState>> {
  try {
    const room = await enter(client);
    // The room greets each player as it joins: listen before anything else is awaited.
    room.onMessage('welcome', () => {});
    return room;
  } catch (err) {
    throw new Error(`${name} could not get a seat in the tournament: ${client.joinFailure(err)}`, { cause: err });
  }
}

/** `arena tournament`: bots fill one tournament on a running server and play it to its champion. */
export async function tournamentCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string' },
      players: { type: 'string' },
      format: { type: 'string' },
      rounds: { type: 'string' },
      task: { type: 'string' },
      budget: { type: 'string' },
      break: { type: 'string' },
      seed: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) throw new UsageError(describeZodError(parsed.error).message);
  const args = parsed.data;
  if (args.rounds !== undefined && args.format !== TournamentFormat.Swiss) throw new UsageError('--rounds is for --format swiss only');

  // The SDK's reconnection chatter goes to stderr; stdout carries only the result.
  console.info = console.warn;
  const rooms: Room<any, TournamentState>[] = [];
  try {
    const host = await seat(await botClient(args.server, 'bot-1'), 'bot-1', (c) =>
      c.create<TournamentState>('tournament', {
        title: `CLI tournament (${args.players} bots)`,
        format: args.format,
        task: { name: args.task },
        budget: args.budget,
        ...(args.seed !== undefined ? { seed: args.seed } : {}),
        ...(args.rounds !== undefined ? { rounds: args.rounds } : {}),
        minPlayers: args.players,
        maxPlayers: args.players,
        countdownSeconds: 60, // starts at once when every bot is ready
        breakSeconds: args.break,
      }),
    );
    rooms.push(host);
    for (let i = 2; i <= args.players; i++) rooms.push(await seat(await botClient(args.server, `bot-${i}`), `bot-${i}`, (c) => c.joinById<TournamentState>(host.roomId, {})));

    const result = new Promise<TournamentResultMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the tournament did not finish within ${args.timeout}s`)), args.timeout * 1000);
      host.onMessage('result', (msg: TournamentResultMessage) => {
        clearTimeout(timer);
        resolve(msg);
      });
      for (const room of rooms) {
        if (room !== host) room.onMessage('result', () => {});
        room.onMessage('notice', (n: RoomNoticeMessage) => room === host && process.stderr.write(`notice: ${n.message}\n`));
        room.onMessage('error', (err: TournamentErrorMessage) => {
          clearTimeout(timer);
          reject(new Error(`the server refused a bot's message: ${describeError(err)}`));
        });
        room.onLeave((code, reason) => {
          clearTimeout(timer);
          reject(new Error(`the connection to the tournament closed before it ended: ${describeError({ code, reason })}`));
        });
      }
    });

    if (!args.json) {
      let said = '';
      host.onStateChange((state) => {
        const now = `${state.phase}${state.round ? ` · round ${state.round} of ${state.totalRounds}` : ''}`;
        if (now !== said) process.stderr.write(`${(said = now)}\n`);
      });
    }

    rooms.forEach((room, i) => {
      room.send('spec', { spec: SPEC_TEMPLATES[i % SPEC_TEMPLATES.length]!.spec });
      room.send('ready', { ready: true });
    });

    const outcome = await result;
    const line = {
      tournamentId: outcome.tournamentId,
      roomId: host.roomId,
      stored: outcome.stored,
      rated: outcome.rated,
      champion: outcome.champion.player,
      ranking: outcome.ranking.map((r) => ({ rank: r.rank, player: r.player, wins: r.wins, losses: r.losses, points: r.points })),
      matchIds: outcome.matchIds,
    };
    if (args.json) process.stdout.write(`${JSON.stringify(line)}\n`);
    else {
      process.stdout.write(`tournament ${outcome.tournamentId}${outcome.stored ? '' : ' (not stored)'}: ${line.champion} is the champion after ${outcome.matchIds.length} matches\n`);
      for (const r of line.ranking) process.stdout.write(`${String(r.rank).padStart(2)}. ${r.player.padEnd(12)} ${r.wins}–${r.losses}${args.format === TournamentFormat.Swiss ? `  ${r.points} points` : ''}\n`);
    }
  } finally {
    // leave() resolves when the server answers: only on an open connection, and not waited for long
    const left = Promise.allSettled(rooms.filter((r) => r.connection?.isOpen).map((r) => r.leave()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([left, new Promise((r) => (timer = setTimeout(r, LEAVE_WAIT_MS)))]);
    clearTimeout(timer);
  }
}
