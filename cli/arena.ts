/** `npm run arena -- <command>`: the arena's command line. */
import { describeError } from './describe-error.ts';
import { UsageError } from './usage-error.ts';

/**
 * Each command's module, loaded only when it runs: `race` does not load tf.js, which halves a bot process's
 * start-up (many race processes may start at once against one server).
 */
const commands: Record<string, () => Promise<{ usage: string; run: (argv: string[]) => Promise<void> }>> = {
  train: async () => import('./train.command.ts').then((m) => ({ usage: m.TRAIN_USAGE, run: m.trainCommand })),
  replay: async () => import('./replay.command.ts').then((m) => ({ usage: m.REPLAY_USAGE, run: m.replayCommand })),
  race: async () => import('./race.command.ts').then((m) => ({ usage: m.RACE_USAGE, run: m.raceCommand })),
  tournament: async () => import('./tournament.command.ts').then((m) => ({ usage: m.TOURNAMENT_USAGE, run: m.tournamentCommand })),
  migrate: async () => import('./migrate.command.ts').then((m) => ({ usage: m.MIGRATE_USAGE, run: () => m.migrateCommand() })),
};

async function usage(): Promise<string> {
  const all = await Promise.all(Object.values(commands).map((load) => load()));
  return `usage: npm run arena -- <command> [options]\n\n${all.map((c) => c.usage).join('\n\n')}`;
}

const [name, ...rest] = process.argv.slice(2);
if (!name || name === 'help' || name === '--help') {
  console.log(await usage());
  process.exit(name ? 0 : 2);
}
const load = commands[name];
if (!load) {
  console.error(`unknown command "${name}"\n\n${await usage()}`);
  process.exit(2);
}
const command = await load();
// `arena COMMAND --help` prints that command's usage (and its exit codes) and exits 0, whatever else was given
if (rest.includes('--help') || rest.includes('-h')) {
  console.log(command.usage);
  process.exit(0);
}
try {
  await command.run(rest);
  process.exit(process.exitCode ?? 0);
} catch (err) {
  const isUsage = err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'));
  // never an empty reason: an error without a message is described by its name, code and cause
  console.error(`arena ${name}: ${describeError(err)}`);
  process.exit(isUsage ? 2 : 1);
}
