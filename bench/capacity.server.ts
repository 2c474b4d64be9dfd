/**
 * A server process of the capacity benchmark: the real arena (server/app.ts, configured from the
 * environment as `npm start` is), started with an IPC channel (child_process.fork). It notes every
 * telemetry frame a room is handed (the frame's `createdAt`, stamped where the frame is made, and
 * when it arrived), the main thread's event-loop delay, and the CPU of the whole process, from a
 * `mark` message to a `report` message; `stop` closes it as SIGTERM would.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startArena } from '../server/app.ts';
import { readConfig } from '../server/config.ts';
import type { ServerReport } from './capacity.wire.ts';

if (!process.send) throw new Error('capacity.server.ts runs as a forked child of bench/capacity.bench.ts');
const send = (msg: unknown) => process.send!(msg);

const arena = await startArena(readConfig(process.env));
let frames: ServerReport['frames'] = [];
const inner = arena.services.trainer;
const submit: typeof inner.submit = (job, listener) =>
  inner.submit(job, { ...listener, onFrame: (f) => (frames.push([f.runId, f.samples, f.createdAt, Date.now()]), listener.onFrame(f)) });
arena.services.trainer = new Proxy(inner, { get: (target, key) => (key === 'submit' ? submit : (Reflect.get(target, key) as unknown)) });

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
let cpu0 = process.cpuUsage();
let main0 = process.threadCpuUsage();
let t0 = performance.now();
/**
 * Main-thread stalls: [ms since mark, how late a 20 ms timer fired, ms of CPU the main thread used meanwhile,
 * ms it spent runnable but waiting for a core meanwhile (Linux's schedstat; -1 elsewhere)] whenever it was over
 * 100 ms late. CPU near the stall's length: the thread was busy; the wait near it: the machine's other work
 * had the cores.
 */
let stalls: Array<[number, number, number, number]> = [];
/** Nanoseconds this thread has waited on a run queue so far (the second field of /proc/thread-self/schedstat). */
const runQueueWaitNs = (): number => {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]);
  } catch {
    return NaN;
  }
};
let tick = performance.now();
let tickCpu = process.threadCpuUsage();
let tickWait = runQueueWaitNs();
setInterval(() => {
  const now = performance.now();
  const cpu = process.threadCpuUsage(tickCpu);
  const wait = runQueueWaitNs();
  const late = now - tick - 20;
  if (late > 100) stalls.push([Math.round(now - t0), Math.round(late), Math.round((cpu.user + cpu.system) / 1000), Number.isFinite(wait - tickWait) ? Math.round((wait - tickWait) / 1e6) : -1]);
  tick = now;
  tickCpu = process.threadCpuUsage();
  tickWait = wait;
}, 20).unref();

process.on('message', (raw) => {
  const type = (raw as { type?: string }).type;
  if (type === 'mark') {
    frames = [];
    stalls = [];
    delay.reset();
    cpu0 = process.cpuUsage();
    main0 = process.threadCpuUsage();
    t0 = performance.now();
    send({ type: 'marked' });
  } else if (type === 'report') {
    const cpu = process.cpuUsage(cpu0);
    const main = process.threadCpuUsage(main0);
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const report: ServerReport = {
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      mainThreadCpuSeconds: (main.user + main.system) / 1e6,
      stalls,
      seconds: (performance.now() - t0) / 1000,
      eventLoop: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
      frames,
      rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20),
    };
    send({ type: 'report', report });
  } else if (type === 'stop') {
    arena.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  }
});
send({ type: 'listening', port: arena.port });
