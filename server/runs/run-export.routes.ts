import express from 'express';
import { RunExportParams } from '../../shared/api.schema.ts';
import { describeZodError } from '../../shared/validation.ts';
import type { ArenaServices } from '../arena.services.ts';
import { fail, wrap } from '../http/api-answer.ts';
import { ReplayBusyError } from './model-replayer.ts';
import { curveToCsv, curveToJson } from './run-export.ts';
import { exportRunModel, RunExportError } from './run-export.service.ts';

/** HTTP status for each reason an export is refused. */
const STATUS: Record<RunExportError['code'], number> = { NOT_FOUND: 404, NO_CURVE: 404, NO_MODEL: 409, NOT_REPRODUCED: 409 };

/**
 * `GET /runs/:id/:file`: a stored run's curve (`metrics.csv`, `metrics.json`), its run file (`run.json`, for
 * `arena replay`) and its model in tf.js's layers format (`model.json`, which names `weights.bin` beside it, so
 * `tf.loadLayersModel('…/api/runs/ID/model.json')` loads it; its `preprocessing` block says what goes in and
 * what comes out). A bad id or file name answers 400, a run that is not stored 404.
 */
export function runExportRoutes(services: Pick<ArenaServices, 'runs'>): express.Router {
  const r = express.Router();
  r.get(
    '/runs/:id/:file',
    wrap(async (req, res) => {
      const params = RunExportParams.safeParse(req.params);
      if (!params.success) return fail(res, 400, 'BAD_REQUEST', describeZodError(params.error).message);
      const { id, file } = params.data;
      try {
        if (file === 'metrics.csv' || file === 'metrics.json') {
          const curve = await services.runs.curve(id);
          if (curve === undefined) throw new RunExportError('NOT_FOUND', `no run with id "${id}"`);
          if (curve === null) throw new RunExportError('NO_CURVE', `run ${id} was stored without its curve (a race entry stored before curves were kept, or a run that never reported)`);
          if (file === 'metrics.csv') return void res.type('text/csv').send(curveToCsv(curve));
          return void res.json(curveToJson(id, curve));
        }
        const run = await services.runs.load(id);
        if (!run) throw new RunExportError('NOT_FOUND', `no run with id "${id}"`);
        if (file === 'run.json') return void res.json(run.runFile);
        const model = await exportRunModel(run, services.runs.replayer);
        if (file === 'model.json') return void res.json(model.modelJson);
        res.type('application/octet-stream').send(Buffer.from(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength));
      } catch (err) {
        if (err instanceof RunExportError) return fail(res, STATUS[err.code], err.code, err.message);
        if (err instanceof ReplayBusyError) {
          res.set('Retry-After', '60');
          return fail(res, 503, err.code, err.message);
        }
        throw err;
      }
    }),
  );
  return r;
}
