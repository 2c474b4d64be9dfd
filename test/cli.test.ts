import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitmentOf } from '../server/match/fair-seed.ts';
import { startTestArena } from './support/arena.ts';

const run = promisify(execFile);
const ARENA = fileURLToPath(new URL('../cli/arena.ts', import.meta.url));
const arena = (...args: string[]) => run(process.execPath, [ARENA, ...args], { timeout: 120_000 });

describe('npm run arena', () => {
  it('train --json prints a frame per line and a summary last', async () => {
    const { stdout } = await arena('train', '--task', 'spiral', '--budget', '4000', '--seed', '5', '--json');
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    const summary = lines.at(-1).summary;
    expect(lines.length).toBeGreaterThan(5);
    expect(lines[0]).toMatchObject({ runId: 'cli', step: 10 });
    expect(summary).toMatchObject({ samples: 4000, backend: 'wasm' });
    expect(Object.keys(summary.final).sort()).toEqual(['accuracy', 'loss', 'valAccuracy', 'valLoss']);
    expect(summary.weightsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(summary.samplesPerSec).toBeGreaterThan(0);
    // the same run twice gives the same weights
    const again = JSON.parse((await arena('train', '--budget', '4000', '--seed', '5', '--json')).stdout.trim().split('\n').at(-1)!);
    expect(again.summary.weightsHash).toBe(summary.weightsHash);
  });

  it('train --model reads a spec file and names what is wrong with a bad one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'arena-cli-'));
    const good = path.join(dir, 'good.json');
    const bad = path.join(dir, 'bad.json');
    writeFileSync(good, JSON.stringify({ layers: [{ units: 4, activation: 'tanh' }], optimizer: 'sgd', learningRate: 0.1, batchSize: 8 }));
    writeFileSync(bad, JSON.stringify({ layers: [{ units: 4, activation: 'tanh' }], learningRate: 0, batchSize: 8 }));
    const { stdout } = await arena('train', '--budget', '200', '--model', good, '--json');
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!).summary.samples).toBe(200);
    const err = await arena('train', '--model', bad).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toContain('learningRate: learningRate must be greater than 0');
  });

  describe('race against a running server', () => {
    let t: Awaited<ReturnType<typeof startTestArena>>;
    let matchId = '';
    beforeAll(async () => {
      t = await startTestArena();
    });
    afterAll(async () => {
      await t?.stop();
    });

    it('4 bots on budget 20000: the race finishes, is stored, and the best entry beats 0.8', async () => {
      const { stdout } = await arena('race', '--server', t.url, '--players', '4', '--task', 'spiral', '--budget', '20000', '--json');
      const out = JSON.parse(stdout.trim());
      expect(out.ranking).toHaveLength(4);
      expect(out.ranking.map((r: { player: string }) => r.player).sort()).toEqual(['bot-1', 'bot-2', 'bot-3', 'bot-4']);
      expect(Math.max(...out.ranking.map((r: { valAccuracy: number }) => r.valAccuracy))).toBeGreaterThan(0.8);
      const stored = await t.arena.services.matches.load(out.matchId);
      expect(stored?.entries).toHaveLength(4);
      matchId = out.matchId;
    });

    it("replays the stored race from its page's address: the seed commitment holds and every run replays bit for bit; a tampered reveal fails loudly", async () => {
      const page = `${t.url}/#/matches/${matchId}`;
      const out = JSON.parse((await arena('replay', page, '--json')).stdout.trim());
      expect(out).toMatchObject({ matchId, rated: true, seed: { verified: true } });
      expect(out.runs).toHaveLength(4);
      for (const r of out.runs) expect(r).toMatchObject({ match: true, verdict: 'match', samples: 20_000 });
      // Someone edits the stored salt: the reveal no longer hashes to the commitment, and nothing is replayed.
      const db = t.arena.database.db;
      const row = await db.selectFrom('matches').select(['seed_salt']).where('id', '=', matchId).executeTakeFirstOrThrow();
      await db.updateTable('matches').set({ seed_salt: 'f'.repeat(64) }).where('id', '=', matchId).execute();
      const err = await arena('replay', `${t.url}/api/matches/${matchId}`).catch((e: { code: number; stdout: string; stderr: string }) => e);
      await db.updateTable('matches').set({ seed_salt: row.seed_salt }).where('id', '=', matchId).execute();
      expect(err).toMatchObject({ code: 1 });
      expect((err as { stderr: string }).stderr).toContain('SEED REVEAL DOES NOT MATCH ITS COMMITMENT');
      expect((err as { stdout: string }).stdout).not.toContain('replayed bit for bit');
    });

    it('refuses a bad option with a message that names it', async () => {
      const err = await arena('race', '--server', t.url, '--players', '9').catch((e: { code: number; stderr: string }) => e);
      expect(err).toMatchObject({ code: 2 });
      expect((err as { stderr: string }).stderr).toContain('--players must be at most 8');
    });
  });
});

describe('npm run arena -- replay', () => {
  it('exports a run and replays its run file bit for bit; a tampered file is caught', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'arena-export-'));
    await arena('train', '--task', 'xor', '--budget', '2000', '--seed', '3', '--export', dir);
    const replay = JSON.parse((await arena('replay', path.join(dir, 'run.json'), '--json')).stdout);
    expect(replay).toMatchObject({ match: true, backend: 'wasm', samples: 2000 });
    const runFile = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
    runFile.controls.push({ step: 5, control: { type: 'setLearningRate', learningRate: 0.5 } });
    writeFileSync(path.join(dir, 'tampered.json'), JSON.stringify(runFile));
    const err = await arena('replay', path.join(dir, 'tampered.json')).catch((e: { code: number; stdout: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    // the replay is recomputed and its hash printed even when it does not match
    expect((err as { stdout: string }).stdout).toMatch(/MISMATCH: replayed \(wasm\) to [0-9a-f]{64}, but the replay ended with weights/);
    const csv = readFileSync(path.join(dir, 'metrics.csv'), 'utf8').split('\n');
    expect(csv[0]).toMatch(/^step,samples,flops,loss/);
    expect(JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')).weightsManifest[0].paths).toEqual(['weights.bin']);
  });

  it('verifies nothing and says so (exit 3) when the expected block is removed or names another backend', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'arena-unverified-'));
    await arena('train', '--task', 'xor', '--budget', '1000', '--seed', '4', '--export', dir);
    const runFile = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
    const { expected, ...bare } = runFile;
    writeFileSync(path.join(dir, 'bare.json'), JSON.stringify(bare));
    writeFileSync(path.join(dir, 'elsewhere.json'), JSON.stringify({ ...runFile, expected: { ...expected, backend: 'tensorflow' } }));
    for (const [file, why] of [['bare.json', 'no expected block'], ['elsewhere.json', 'made on the tensorflow backend']] as const) {
      const err = await arena('replay', path.join(dir, file)).catch((e: { code: number; stdout: string }) => e);
      expect(err, file).toMatchObject({ code: 3 });
      expect((err as { stdout: string }).stdout).toContain('NOT VERIFIED');
      expect((err as { stdout: string }).stdout).toContain(why);
      expect((err as { stdout: string }).stdout).toMatch(/replayed \(wasm\) to [0-9a-f]{64}, .*this replay verified nothing/);
    }
  });

  it('--help prints the usage with every exit code and exits 0', async () => {
    for (const flag of ['--help', '-h']) {
      const { stdout } = await arena('replay', flag);
      for (const code of ['0 every run replayed bit for bit', '1 a mismatch', '2 a bad file or address', '3 nothing verified']) expect(stdout.replace(/\s+/g, ' '), flag).toContain(code);
    }
    expect((await arena('train', 'anything', '--help')).stdout).toContain('arena train');
  });

  it('checks the seed commitment a run file carries before replaying it; a tampered reveal fails (exit 1) and is not replayed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'arena-commit-'));
    await arena('train', '--task', 'xor', '--budget', '1000', '--seed', '6', '--export', dir);
    const runFile = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
    const salt = '0123456789abcdef'.repeat(4);
    const reveal = { scheme: 'gradient-arena-seed-v1', commitment: commitmentOf(6, salt), seed: 6, salt };
    writeFileSync(path.join(dir, 'honest.json'), JSON.stringify({ ...runFile, seedReveal: reveal }));
    const honest = await arena('replay', path.join(dir, 'honest.json'));
    expect(honest.stdout).toContain('seed verified: seed 6 matches the commitment');
    expect(honest.stdout).toContain('replayed bit for bit');
    const tampered = {
      'seed.json': { ...runFile, seed: 7, seedReveal: { ...reveal, seed: 7 } }, // a seed that suits the entry, claimed afterwards
      'salt.json': { ...runFile, seedReveal: { ...reveal, salt: 'f' + salt.slice(1) } },
      'commitment.json': { ...runFile, seedReveal: { ...reveal, commitment: commitmentOf(6, 'e'.repeat(64)) } },
      'run-seed.json': { ...runFile, seed: 7, expected: undefined, seedReveal: reveal }, // the run trained on another seed than revealed
    };
    for (const [file, content] of Object.entries(tampered)) {
      writeFileSync(path.join(dir, file), JSON.stringify(content));
      const err = await arena('replay', path.join(dir, file)).catch((e: { code: number; stdout: string; stderr: string }) => e);
      expect(err, file).toMatchObject({ code: 1 });
      expect((err as { stderr: string }).stderr, file).toContain('SEED REVEAL DOES NOT MATCH ITS COMMITMENT');
      expect((err as { stdout: string }).stdout, file).not.toContain('replayed');
    }
  });

  it('names what is wrong with a file that is not a run file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'arena-bad-'));
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ format: 'gradient-arena-run', version: 1, spec: {}, task: {}, seed: 1, budget: 10, controls: [] }));
    const err = await arena('replay', path.join(dir, 'bad.json')).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toContain('spec.layers');
  });
});
