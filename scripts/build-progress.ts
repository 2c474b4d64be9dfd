import type { Plugin } from 'vite';

/**
 * A Vite plugin that reports a build's progress as Vite sees it: the start, the modules transformed so far
 * (at most one line every `everyMs`, default 1000 ms), then rendering, the files written (as Vite's `writeBundle` lists them) and the time taken.
 * No percentage: the number of modules is not known until the whole graph has been walked.
 */
export function buildProgress(log: (line: string) => void, everyMs = 1000): Plugin {
  let started = 0;
  let modules = 0;
  let lastLine = 0;
  const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  return {
    name: 'arena:build-progress',
    apply: 'build',
    buildStart() {
      started = lastLine = performance.now();
      modules = 0;
      log('client build: resolving and transforming modules…');
    },
    transform() {
      modules++;
      const now = performance.now();
      if (now - lastLine >= everyMs) {
        lastLine = now;
        log(`client build: ${modules} modules transformed (${seconds()})`);
      }
      return null;
    },
    renderStart() {
      log(`client build: ${modules} modules transformed; rendering chunks (${seconds()})`);
    },
    writeBundle(_options, bundle) {
      const n = Object.keys(bundle).length;
      log(`client build: wrote ${n} file${n === 1 ? '' : 's'} (${seconds()})`);
    },
    closeBundle() {
      log(`client build: done in ${seconds()}`);
    },
  };
}
