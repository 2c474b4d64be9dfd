/** Redis keys and names the server and the workers agree on. */
export const DEFAULT_QUEUE = 'arena-train';
/** A stream of what is sent to a run: trainer wire messages (`ToTrainer`: control, landscape, cancel; see `trainer.wire.ts`). */
export const controlsKey = (runId: string): string => `arena:run:${runId}:controls`;
/** A stream of what a run reports: trainer wire messages (`FromTrainer`: frames, probes, events, landscapes, recoveries, its result or failure; see `trainer.wire.ts`). */
export const telemetryKey = (runId: string): string => `arena:run:${runId}:telemetry`;
/** Entries a telemetry stream keeps (approximately): enough to replay a run's whole curve to a late server. */
export const TELEMETRY_MAXLEN = 10_000;
/** The run's latest checkpoint (bytes), for a worker that picks the run up after a crash or a shutdown. */
export const checkpointKey = (runId: string): string => `arena:run:${runId}:checkpoint`;
/** What the latest checkpoint is of (a `CheckpointInfo`, JSON), written with it: the server forks and announces resumes without reading the bytes. */
export const checkpointInfoKey = (runId: string): string => `arena:run:${runId}:checkpoint-info`;
/** Every control the run applied, in order (JSON `{step, control, source}`), replayed on resume. */
export const appliedKey = (runId: string): string => `arena:run:${runId}:applied`;
/** How long a run's state is kept in Redis (seconds). */
export const RUN_STATE_TTL_SEC = 24 * 3600;
/** Each worker process refreshes one of these while it lives (a `WorkerHeartbeat`, JSON). */
export const workerHeartbeatKey = (workerId: string): string => `arena:worker:${workerId}`;
export const WORKER_HEARTBEAT_PATTERN = 'arena:worker:*';
