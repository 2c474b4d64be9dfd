/** The abort reason a worker process gives its runs when it shuts down: they hand themselves back to the queue. */
export const SHUTDOWN_REASON = 'worker shutting down';
