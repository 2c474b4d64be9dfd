import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
import { DesignErrorCode, MAX_SAVED_DESIGNS, type AccountDesign, type DesignSaved, type SharedDesign } from '../../shared/design.schema.ts';
import { ModelSpec } from '../../shared/model-spec.schema.ts';
import { verifyGuestToken, type GuestTokenPolicy } from '../identity/guest-token.ts';
import { findPlayer } from '../progression/progression.repository.ts';
import { insertNamedPlayer } from '../identity/player-names.ts';
import { countDesigns, deleteDesign, findDesign, findSharedDesign, insertDesign, listDesigns, renameDesign, replaceDesignIfNotNewer } from './design.repository.ts';

/** A refused request about designs: the API answers `status` with `code` and the message. */
export class DesignError extends Error {
  readonly code: DesignErrorCode;
  readonly status: number;
  constructor(code: DesignErrorCode, status: number, message: string) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

type Row = { name: string; spec: unknown; share_id: string; saved_at: Date };

/** A stored row as the API shows it; a spec that no longer parses (an older schema) comes back as stored. */
const toDesign = (r: Row): AccountDesign => ({ name: r.name, spec: r.spec as ModelSpec, savedAt: r.saved_at.getTime(), shareId: r.share_id });

const newShareId = (): string => randomBytes(12).toString('base64url');

const notFound = (name: string) => new DesignError(DesignErrorCode.NotFound, 404, `you have no saved design called "${name}"`);

/**
 * Designs saved to a player's account (`ArenaServices['designs']`): every call but `shared` takes the guest
 * token of the player whose designs they are; `shared` reads a design by its share id, for anyone.
 */
export function designService(db: Kysely<Database>, tokens: GuestTokenPolicy, clock: () => number = Date.now) {
  /** The account behind a token (made again under its name, or a #tag, when the database was reset). */
  async function playerOf(token: string): Promise<string> {
    const { sub, name } = verifyGuestToken(tokens, token).claims;
    if (!(await findPlayer(db, sub))) await insertNamedPlayer(db, sub, name, 'tag');
    return sub;
  }

  return {
    async list(token: string): Promise<AccountDesign[]> {
      return (await listDesigns(db, await playerOf(token))).map(toDesign);
    },

    /** Saves `spec` under `name` unless a newer save of that name is stored (then that one stands). */
    async save(token: string, name: string, spec: ModelSpec, savedAt = clock()): Promise<DesignSaved> {
      const playerId = await playerOf(token);
      const at = new Date(savedAt);
      return db.transaction().execute(async (trx) => {
        const current = await findDesign(trx, playerId, name);
        if (!current) {
          if ((await countDesigns(trx, playerId)) >= MAX_SAVED_DESIGNS) {
            throw new DesignError(DesignErrorCode.TooMany, 409, `you have ${MAX_SAVED_DESIGNS} saved designs, the most an account keeps: delete one first`);
          }
          const shareId = newShareId();
          if (await insertDesign(trx, { playerId, name, spec, shareId, savedAt: at })) return { design: { name, spec, savedAt, shareId }, kept: 'this' };
        } else if (await replaceDesignIfNotNewer(trx, playerId, name, spec, at, new Date(clock()))) {
          return { design: { name, spec, savedAt, shareId: current.share_id }, kept: 'this' };
        }
        return { design: toDesign((await findDesign(trx, playerId, name))!), kept: 'newer' };
      });
    },

    /** Renames a design (keeping its share link); `replace` overwrites a design already called `to`. */
    async rename(token: string, from: string, to: string, replace: boolean): Promise<AccountDesign> {
      const playerId = await playerOf(token);
      return db.transaction().execute(async (trx) => {
        const design = await findDesign(trx, playerId, from);
        if (!design) throw notFound(from);
        if (from !== to && (await findDesign(trx, playerId, to))) {
          if (!replace) throw new DesignError(DesignErrorCode.NameTaken, 409, `you already have a design called "${to}": send "replace": true to overwrite it`);
          await deleteDesign(trx, playerId, to);
        }
        await renameDesign(trx, playerId, from, to, new Date(clock()));
        return toDesign({ ...design, name: to });
      });
    },

    async remove(token: string, name: string): Promise<void> {
      if (!(await deleteDesign(db, await playerOf(token), name))) throw notFound(name);
    },

    async shared(shareId: string): Promise<SharedDesign | undefined> {
      const r = await findSharedDesign(db, shareId);
      return r && { name: r.name, spec: r.spec as ModelSpec, savedAt: r.saved_at.getTime(), owner: r.owner };
    },
  };
}

export type DesignService = ReturnType<typeof designService>;
