import type express from 'express';
import { fail } from '../http/api-answer.ts';
import { GuestTokenError } from './guest-token.ts';
import { tokenRefusal } from './room-auth.ts';

/** The guest token of `Authorization: Bearer <token>`, if sent. */
export const bearerToken = (req: express.Request): string | undefined => /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];

/** Answers a refused guest token with a 401 naming why (`TOKEN_EXPIRED`, `BAD_SIGNATURE`, `BAD_TOKEN`); rethrows anything else. */
export function refuseToken(res: express.Response, err: unknown): void {
  if (!(err instanceof GuestTokenError)) throw err;
  fail(res, 401, err.code, tokenRefusal(err));
}
