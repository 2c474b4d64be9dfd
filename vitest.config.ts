import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Tests that load the whole machine on purpose (60 concurrent races with a bound on /health; memory
 * measured across an hour's worth of play) run first, one at a time, on a machine nothing else has
 * loaded yet, so that neither they nor the tests beside them measure each other. (Run after the rest,
 * the load test's /health bound failed in every full run and in none of its runs alone.)
 */
const ALONE = ['test/load.test.ts', 'test/memory.soak.test.ts'];

/**
 * Browser journeys (a server, real training and a headless Chromium each) run last, one at a time: two of
 * them side by side, or one beside the training-heavy suite, left each with well under a core, and in a full
 * CI run on the 2-core machine the playground, race and CSP page tests timed out while passing alone.
 */
const BROWSER = ['test/**/*.page.test.ts'];

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
          include: ['shared/**/*.test.ts', 'contract/**/*.test.ts', 'workers/**/*.test.ts', 'server/**/*.test.ts', 'client/**/*.test.ts', 'cli/**/*.test.ts', 'bench/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...ALONE, ...BROWSER],
          // Test files that start servers, trainers and browsers share two cores: keep them few at a time.
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: 'browser', include: BROWSER, maxWorkers: 1, sequence: { groupOrder: 3 } },
      },
    ],
  },
});
