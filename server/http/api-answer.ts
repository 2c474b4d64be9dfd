import type express from 'express';

/** An API handler; a rejection goes to the error middleware (which hides internals). */
export type ApiHandler = (req: express.Request, res: express.Response) => Promise<void>;

/** Sends a JSON error in the API's one shape. */
export function fail(res: express.Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** Passes a handler's failure to the error middleware (which hides internals). */
export const wrap =
  (h: ApiHandler): express.RequestHandler =>
  (req, res, next) => {
    h(req, res).catch(next);
  };
