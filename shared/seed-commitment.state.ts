import { schema, t, type SchemaType } from '@colyseus/schema';

/** Says whether a match is rated, and its seed commitment; the seed and salt stay empty until the match is over. */
export const FairSeedView = schema(
  {
    /** False for a custom seed: "custom seed · unrated", no rating, XP or achievements. */
    rated: t.boolean().default(true),
    /** The commitment format (shared/seed-commitment.ts). */
    scheme: t.string().default(''),
    /** hex(SHA-256("<scheme>:<seed>:<salt>")), published when the match is created. */
    commitment: t.string().default(''),
    /** The seed, -1 until the match is over. */
    seed: t.int32().default(-1),
    /** The salt (64 hex digits), '' until the match is over. */
    salt: t.string().default(''),
  },
  'FairSeedView',
);
export type FairSeedView = SchemaType<typeof FairSeedView>;
