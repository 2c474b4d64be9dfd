import express from 'express';
import type { z } from 'zod';
import { TokenErrorCode } from '../../shared/identity.schema.ts';
import { DesignName, DesignRenameRequest, DesignSaveRequest, ShareId } from '../../shared/design.schema.ts';
import { describeZodError } from '../../shared/validation.ts';
import { fail, wrap } from '../http/api-answer.ts';
import { bearerToken, refuseToken } from '../identity/guest-bearer.ts';
import { DesignError, type DesignService } from './design.service.ts';

/** Largest body a design request may have: a spec of the most layers is a few kilobytes. */
export const DESIGN_BODY_LIMIT = '32kb';
const body = express.json({ limit: DESIGN_BODY_LIMIT });

function parse<S extends z.ZodType>(schema: S, value: unknown, res: express.Response, prefix = ''): z.infer<S> | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  fail(res, 400, 'BAD_REQUEST', describeZodError(parsed.error, prefix).message);
  return undefined;
}

/**
 * /api/designs: the signed-in player's saved designs (send the guest token as `Authorization: Bearer`):
 * `GET /` lists them, `PUT /:name` saves one (the newest save of a name wins), `PATCH /:name` renames one
 * (`replace: true` overwrites the target), `DELETE /:name` deletes one.
 */
export function designRoutes(designs: DesignService): express.Router {
  const r = express.Router();
  /** Runs `h` with the request's guest token and the design name in the path, or answers 401 / 400. */
  const withToken = (h: (token: string, name: string | undefined, req: express.Request, res: express.Response) => Promise<void>) =>
    wrap(async (req, res) => {
      const token = bearerToken(req);
      if (!token) return fail(res, 401, TokenErrorCode.NoToken, 'send your guest token as "Authorization: Bearer <token>"');
      let name: string | undefined;
      if (req.params.name !== undefined) {
        name = parse(DesignName, req.params.name, res, 'name');
        if (name === undefined) return;
      }
      try {
        await h(token, name, req, res);
      } catch (err) {
        if (err instanceof DesignError) return fail(res, err.status, err.code, err.message);
        refuseToken(res, err);
      }
    });

  r.get('/', withToken(async (token, _name, _req, res) => void res.json({ designs: await designs.list(token) })));
  r.put(
    '/:name',
    body,
    withToken(async (token, name, req, res) => {
      const b = parse(DesignSaveRequest, req.body ?? {}, res);
      if (b) res.json(await designs.save(token, name!, b.spec, b.savedAt));
    }),
  );
  r.patch(
    '/:name',
    body,
    withToken(async (token, name, req, res) => {
      const b = parse(DesignRenameRequest, req.body ?? {}, res);
      if (b) res.json(await designs.rename(token, name!, b.name, b.replace));
    }),
  );
  r.delete('/:name', withToken(async (token, name, _req, res) => void (await designs.remove(token, name!), res.status(204).end())));
  return r;
}

/** /api/shared-designs/:shareId: a shared design, for anyone with the link. */
export function sharedDesignRoutes(designs: DesignService): express.Router {
  const r = express.Router();
  r.get(
    '/:shareId',
    wrap(async (req, res) => {
      const shareId = parse(ShareId, req.params.shareId, res, 'shareId');
      if (shareId === undefined) return;
      const design = await designs.shared(shareId);
      if (!design) return fail(res, 404, 'NOT_FOUND', `no shared design with id "${shareId}": its owner may have deleted it`);
      res.json(design);
    }),
  );
  return r;
}
