/** Redis keys and names the server and the workers agree on. */
export const DEFAULT_QUEUE = 'arena-train';
/** A stream of what is sent to a run: controls (`k=control`, JSON) and cancel requests (`k=cancel`). */
export const controlsKey = (runId: string): string => `arena:run:${runId}:controls`;
/** A stream of what a run reports: frames (`k=f`, binary), events (`k=e`), probes (`k=p`), its result (`k=d`) or failure (`k=x`); a GAN run's frames (`k=g`) and result (`k=G`), JSON. */
export const telemetryKey = (runId: string): string => `arena:run:${runId}:telemetry`;
/** Entries a telemetry stream keeps (approximately): enough to replay a run's whole curve to a late server. */
export const TELEMETRY_MAXLEN = 10_000;
/** The run's latest checkpoint (bytes), for a worker that picks the run up after a crash or a shutdown. */
export const checkpointKey = (runId: string): string => `arena:run:${runId}:checkpoint`;
/** Every control the run applied, in order (JSON `{step, control, source}`), replayed on resume. */
export const appliedKey = (runId: string): string => `arena:run:${runId}:applied`;
/** How long a run's state is kept in Redis (seconds). */
export const RUN_STATE_TTL_SEC = 24 * 3600;
/** Each worker process refreshes one of these while it lives (a `WorkerHeartbeat`, JSON). */
export const workerHeartbeatKey = (workerId: string): string => `arena:worker:${workerId}`;
export const WORKER_HEARTBEAT_PATTERN = 'arena:worker:*';
