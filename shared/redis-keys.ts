/** Redis keys and names the server and the workers agree on. */
export const DEFAULT_QUEUE = 'arena-train';
/** Set by the server to stop a run that a worker is training. */
export const cancelKey = (runId: string): string => `arena:run:${runId}:cancel`;
/** The controls sent to a run (JSON, append-only): a worker reads on from where the run's log says it got to. */
export const controlsKey = (runId: string): string => `arena:run:${runId}:controls`;
/** The run's latest checkpoint (bytes), for a worker that picks the run up after a crash or a shutdown. */
export const checkpointKey = (runId: string): string => `arena:run:${runId}:checkpoint`;
/** Every control the run applied, in order (JSON `{step, control, source}`), replayed on resume. */
export const appliedKey = (runId: string): string => `arena:run:${runId}:applied`;
/** How long a run's state is kept in Redis (seconds). */
export const RUN_STATE_TTL_SEC = 24 * 3600;
/** Each worker process refreshes one of these while it lives. */
export const workerHeartbeatKey = (workerId: string): string => `arena:worker:${workerId}`;
export const WORKER_HEARTBEAT_PATTERN = 'arena:worker:*';
