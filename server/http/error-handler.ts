import type express from 'express';
import { moduleLogger } from '../logger.ts';

/**
 * The HTTP boundary's last handler: whatever a route threw becomes a 500 with no details, in the API's error
 * shape, and one `error` line with the error. The line goes through `req.log` (set by the request log), so it
 * carries the request's `reqId`; a request that did not pass the request log is logged by the `http` module.
 */
export function errorHandler(): express.ErrorRequestHandler {
  return (err, req, res, _next) => {
    (req.log ?? moduleLogger('http')).error({ err }, 'unexpected error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(500).json({ error: { code: 'INTERNAL', message: 'something went wrong on the server' } });
  };
}
