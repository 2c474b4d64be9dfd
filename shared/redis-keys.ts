/** Redis keys and names the server and the workers agree on. */
export const DEFAULT_QUEUE = 'arena-train';
/** Set by the server to stop a run that a worker is training. */
export const cancelKey = (runId: string): string => `arena:run:${runId}:cancel`;
/** A list of controls (JSON) waiting for the worker that trains the run. */
export const controlsKey = (runId: string): string => `arena:run:${runId}:controls`;
/** Each worker process refreshes one of these while it lives. */
export const workerHeartbeatKey = (workerId: string): string => `arena:worker:${workerId}`;
export const WORKER_HEARTBEAT_PATTERN = 'arena:worker:*';
