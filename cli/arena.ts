/** `npm run arena -- <command>`: the arena's command line. */
import { MIGRATE_USAGE, migrateCommand } from './migrate.command.ts';
import { RACE_USAGE, raceCommand } from './race.command.ts';
import { REPLAY_USAGE, replayCommand } from './replay.command.ts';
import { TRAIN_USAGE, trainCommand } from './train.command.ts';
import { UsageError } from './usage-error.ts';

const USAGE = `usage: npm run arena -- <command> [options]

${TRAIN_USAGE}

${REPLAY_USAGE}

${RACE_USAGE}

${MIGRATE_USAGE}`;

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  train: trainCommand,
  race: raceCommand,
  replay: replayCommand,
  migrate: () => migrateCommand(),
};

const [name, ...rest] = process.argv.slice(2);
if (!name || name === 'help' || name === '--help') {
  console.log(USAGE);
  process.exit(name ? 0 : 2);
}
const command = commands[name];
if (!command) {
  console.error(`unknown command "${name}"\n\n${USAGE}`);
  process.exit(2);
}
try {
  await command(rest);
  process.exit(process.exitCode ?? 0);
} catch (err) {
  const usage = err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'));
  console.error(`arena ${name}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(usage ? 2 : 1);
}
