import { z } from 'zod';
import { ModelSpec } from './model-spec.schema.ts';

/** Most designs one player keeps (in the browser and on the account). */
export const MAX_SAVED_DESIGNS = 30;

/** A saved design's name: unique per player, exactly as typed. */
export const DesignName = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(1, 'a saved spec needs a name')
  .max(40, 'a saved spec name may be at most 40 characters');

/** The public id in a share link (`#/design/<shareId>`): 16 base64url characters. */
export const ShareId = z.string().regex(/^[A-Za-z0-9_-]{16}$/, 'a share id is 16 letters, digits, "-" or "_"');

/** When a design was saved, ms since the epoch (the browser's clock: the newest save of a name wins). */
const SavedAt = z.number({ error: 'savedAt must be a number (ms since the epoch)' }).int('savedAt must be whole ms').min(0, 'savedAt must not be negative').max(8.64e15, 'savedAt is too far in the future');

/**
 * PUT /api/designs/:name: saves a spec under a name, replacing the player's design of that name unless the
 * stored one was saved later (`savedAt`, default now: the newest save wins, so a copy saved offline and
 * merged up later never overwrites a newer one).
 */
export const DesignSaveRequest = z.object({ spec: ModelSpec, savedAt: SavedAt.optional() });
export type DesignSaveRequest = z.infer<typeof DesignSaveRequest>;

/** PATCH /api/designs/:name: a new name for a design; `replace: true` overwrites a design already called that. */
export const DesignRenameRequest = z.object({ name: DesignName, replace: z.boolean({ error: 'replace must be true or false' }).default(false) });
export type DesignRenameRequest = z.infer<typeof DesignRenameRequest>;

/** A design on the player's account. */
export const AccountDesign = z.object({ name: DesignName, spec: ModelSpec, savedAt: SavedAt, shareId: ShareId });
export type AccountDesign = z.infer<typeof AccountDesign>;

/** GET /api/designs: the player's designs, newest first. */
export const AccountDesignList = z.object({ designs: z.array(AccountDesign) });
export type AccountDesignList = z.infer<typeof AccountDesignList>;

/** PUT's answer: the design as stored now, and whether this save was kept or a newer one stood. */
export const DesignSaved = z.object({ design: AccountDesign, kept: z.enum(['this', 'newer']) });
export type DesignSaved = z.infer<typeof DesignSaved>;

/** GET /api/shared-designs/:shareId: a shared design, readable by anyone with the link. */
export const SharedDesign = z.object({ name: DesignName, spec: ModelSpec, savedAt: SavedAt, owner: z.string() });
export type SharedDesign = z.infer<typeof SharedDesign>;

/** Error codes of the designs API (besides BAD_REQUEST and the token's). */
export const DesignErrorCode = { NotFound: 'NOT_FOUND', NameTaken: 'DESIGN_NAME_TAKEN', TooMany: 'TOO_MANY_DESIGNS' } as const;
export type DesignErrorCode = (typeof DesignErrorCode)[keyof typeof DesignErrorCode];
