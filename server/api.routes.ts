import express from 'express';
import { LeaderboardQuery } from '../shared/api.schema.ts';
import { GuestRequest, TokenErrorCode, type NameTaken } from '../shared/identity.schema.ts';
import { NameTakenError } from './identity/player-names.ts';
import { describeZodError } from '../shared/validation.ts';
import type { ArenaServices } from './arena.services.ts';
import { passkeyRoutes } from './identity/passkey.routes.ts';
import { designRoutes, sharedDesignRoutes } from './designs/design.routes.ts';
import { BadCursorError } from './progression/leaderboard.service.ts';
import { fail, wrap } from './http/api-answer.ts';
import { bearerToken, refuseToken } from './identity/guest-bearer.ts';
import { runExportRoutes } from './runs/run-export.routes.ts';
import { lessonRoutes } from './lessons/lesson.routes.ts';
import { howToClimb } from './progression/climb.rules.ts';

function found<T>(res: express.Response, what: string, id: string, value: T | undefined): void {
  if (value === undefined) fail(res, 404, 'NOT_FOUND', `no ${what} with id "${id}"`);
  else res.json(value);
}

/** The HTTP API under /api: accounts, saved designs, profiles, leaderboards, the speed run's board, matches, runs (and their exports) and achievements. */
export function apiRoutes(services: ArenaServices): express.Router {
  const r = express.Router();
  r.get(
    '/leaderboard',
    wrap(async (req, res) => {
      const q = LeaderboardQuery.safeParse(req.query);
      if (!q.success) return fail(res, 400, 'BAD_REQUEST', describeZodError(q.error).message);
      try {
        res.json(await services.progression.leaderboard(q.data));
      } catch (err) {
        if (err instanceof BadCursorError) return fail(res, 400, 'BAD_REQUEST', err.message);
        throw err;
      }
    }),
  );
  r.post(
    '/guests',
    express.json({ limit: '4kb' }),
    wrap(async (req, res) => {
      const body = GuestRequest.safeParse(req.body ?? {});
      if (!body.success) return fail(res, 400, 'BAD_REQUEST', describeZodError(body.error).message);
      const { name, ifTaken } = body.data;
      const bearer = bearerToken(req);
      try {
        res.status(bearer ? 200 : 201).json(bearer ? await services.identity.renameGuest(bearer, name, ifTaken) : await services.identity.createGuest(name, ifTaken));
      } catch (err) {
        if (err instanceof NameTakenError) return void res.status(409).json({ error: { code: err.code, message: err.message, name: err.taken, suggestion: err.suggestion } } satisfies NameTaken);
        refuseToken(res, err);
      }
    }),
  );
  // The page calls this when it starts using its saved token: the account's current name, and a fresh
  // token when the old one is past half its life or was signed with the previous secret.
  r.post(
    '/guests/refresh',
    wrap(async (req, res) => {
      const bearer = bearerToken(req);
      if (!bearer) return fail(res, 401, TokenErrorCode.NoToken, 'send your guest token as "Authorization: Bearer <token>"');
      try {
        res.json(await services.identity.refreshGuest(bearer));
      } catch (err) {
        refuseToken(res, err);
      }
    }),
  );
  r.use('/passkeys', passkeyRoutes(services.passkeys));
  r.use('/designs', designRoutes(services.designs));
  r.use('/shared-designs', sharedDesignRoutes(services.designs));
  r.get('/players/:id', wrap(async (req, res) => found(res, 'player', String(req.params.id), await services.players.profile(String(req.params.id)))));
  r.get('/matches/:id', wrap(async (req, res) => found(res, 'match', String(req.params.id), await services.matches.show(String(req.params.id)))));
  r.get('/runs/:id', wrap(async (req, res) => found(res, 'run', String(req.params.id), await services.runs.load(String(req.params.id)))));
  r.use(runExportRoutes(services));
  r.use('/lessons', lessonRoutes(services.lessons));
  r.get('/achievements', wrap(async (_req, res) => void res.json(await services.progression.achievements())));
  r.get('/climb', (_req, res) => void res.json(howToClimb()));
  r.use((err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    // express.json() reports a body that is not JSON, or too large, with a status of its own
    const status = (err as { status?: number }).status;
    if (status && status >= 400 && status < 500) return fail(res, status, 'BAD_REQUEST', `the request body was refused: ${(err as Error).message}`);
    next(err);
  });
  r.use((req, res) => fail(res, 404, 'NOT_FOUND', `no API route ${req.method} ${req.baseUrl}${req.path}`));
  return r;
}
