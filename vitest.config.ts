import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Colyseus only runs under the threads pool; the default forks pool aborts.
    pool: 'threads',
    include: ['shared/**/*.test.ts', 'workers/**/*.test.ts', 'server/**/*.test.ts', 'client/**/*.test.ts', 'cli/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Test files that start servers, trainers and browsers share two cores: keep them few at a time.
    maxWorkers: 2,
  },
});
