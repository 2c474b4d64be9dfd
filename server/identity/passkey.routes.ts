import express from 'express';
import type { z } from 'zod';
import { TokenErrorCode } from '../../shared/identity.schema.ts';
import { PasskeyId, PasskeyRegistration, PasskeyRemoval, PasskeySignIn } from '../../shared/passkey.schema.ts';
import { describeZodError } from '../../shared/validation.ts';
import { fail, wrap } from '../http/api-answer.ts';
import { bearerToken, refuseToken } from './guest-bearer.ts';
import { PasskeyError, type PasskeyService } from './passkey.service.ts';

/** A ceremony's JSON body: a WebAuthn answer is a few kilobytes at most. */
const body = express.json({ limit: '32kb' });

/** Answers a refused ceremony or token with its status and code; rethrows anything else. */
function refuse(res: express.Response, err: unknown): void {
  if (err instanceof PasskeyError) return fail(res, err.status, err.code, err.message);
  refuseToken(res, err);
}

function parse<S extends z.ZodType>(schema: S, req: express.Request, res: express.Response): z.infer<S> | undefined {
  const parsed = schema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data;
  fail(res, 400, 'BAD_REQUEST', describeZodError(parsed.error).message);
  return undefined;
}

/**
 * /api/passkeys: register a passkey on a guest account (`register/options`, then `register/verify`,
 * both with the guest's token), list the account's passkeys, and sign in with one from any browser
 * (`sign-in/options`, then `sign-in/verify`, which answers the account's identity and a fresh token), and remove
 * one (`DELETE /:id`, the owner's token; the last one only when the body confirms it).
 */
export function passkeyRoutes(passkeys: PasskeyService): express.Router {
  const r = express.Router();
  /** Runs `h` with the request's guest token, or answers 401 NO_TOKEN. */
  const withToken = (h: (token: string, req: express.Request, res: express.Response) => Promise<void>) =>
    wrap(async (req, res) => {
      const token = bearerToken(req);
      if (!token) return fail(res, 401, TokenErrorCode.NoToken, 'send your guest token as "Authorization: Bearer <token>"');
      try {
        await h(token, req, res);
      } catch (err) {
        refuse(res, err);
      }
    });

  r.get('/', withToken(async (token, _req, res) => void res.json(await passkeys.list(token))));
  r.post('/register/options', withToken(async (token, _req, res) => void res.json(await passkeys.registrationOptions(token))));
  r.post(
    '/register/verify',
    body,
    withToken(async (token, req, res) => {
      const b = parse(PasskeyRegistration, req, res);
      if (b) res.status(201).json(await passkeys.register(token, b.response, b.name));
    }),
  );
  // Removes one of the account's passkeys; the last one only with {"confirmLast":true}.
  r.delete(
    '/:id',
    body,
    withToken(async (token, req, res) => {
      const id = PasskeyId.safeParse(req.params.id);
      if (!id.success) return fail(res, 400, 'BAD_REQUEST', `the passkey ${describeZodError(id.error).message}`);
      const b = parse(PasskeyRemoval, req, res);
      if (b) res.json(await passkeys.remove(token, id.data, b.confirmLast));
    }),
  );
  r.post('/sign-in/options', wrap(async (_req, res) => void res.json(await passkeys.signInOptions())));
  r.post(
    '/sign-in/verify',
    body,
    wrap(async (req, res) => {
      const b = parse(PasskeySignIn, req, res);
      if (!b) return;
      try {
        res.json(await passkeys.signIn(b.response));
      } catch (err) {
        refuse(res, err);
      }
    }),
  );
  return r;
}
