import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Tests that load the whole machine on purpose (60 concurrent races with a bound on /health; memory
 * measured across an hour's worth of play) run after the rest, one at a time, so that neither they
 * nor the tests beside them measure each other.
 */
const ALONE = ['test/load.test.ts', 'test/memory.soak.test.ts'];

export default defineConfig({
  test: {
    // Colyseus only runs under the threads pool; the default forks pool aborts.
    pool: 'threads',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['shared/**/*.test.ts', 'workers/**/*.test.ts', 'server/**/*.test.ts', 'client/**/*.test.ts', 'cli/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...ALONE],
          // Test files that start servers, trainers and browsers share two cores: keep them few at a time.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
