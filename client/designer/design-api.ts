import { AccountDesignList, DesignSaved, SharedDesign, type AccountDesign } from '../../shared/design.schema.ts';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';

/** A call to the designs API that failed: `offline` when the arena could not be reached at all. */
export class DesignApiError extends Error {
  readonly status: number | 'offline';
  readonly code: string | undefined;
  constructor(message: string, status: number | 'offline', code?: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function call(method: string, path: string, token: string | undefined, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new DesignApiError('the arena cannot be reached', 'offline');
  }
  if (res.status === 204) return undefined;
  const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (!res.ok) throw new DesignApiError(json.error?.message ?? `the server answered ${res.status}`, res.status, json.error?.code);
  return json;
}

const path = (name: string) => `/api/designs/${encodeURIComponent(name)}`;

/** The designs API, for the player behind `token`; `shared` needs none. */
export const designApi = {
  list: async (token: string): Promise<AccountDesign[]> => AccountDesignList.parse(await call('GET', '/api/designs', token)).designs,
  save: async (token: string, name: string, spec: ModelSpec, savedAt: number): Promise<DesignSaved> => DesignSaved.parse(await call('PUT', path(name), token, { spec, savedAt })),
  remove: async (token: string, name: string): Promise<void> => void (await call('DELETE', path(name), token)),
  shared: async (shareId: string): Promise<SharedDesign> => SharedDesign.parse(await call('GET', `/api/shared-designs/${encodeURIComponent(shareId)}`, undefined)),
};

/** The address that opens a shared design on this arena. */
export const shareLink = (shareId: string): string => `${location.origin}/#/design/${shareId}`;
