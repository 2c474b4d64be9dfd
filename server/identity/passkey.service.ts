import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
import type { GuestIdentity } from '../../shared/identity.schema.ts';
import { PasskeyErrorCode, type AuthenticationResponse, type PasskeyList, type RegistrationResponse } from '../../shared/passkey.schema.ts';
import { findPlayer } from '../progression/progression.repository.ts';
import { verifyGuestToken, type GuestTokenPolicy } from './guest-token.ts';
import { identity } from './identity.service.ts';
import { consumeChallenge, findPasskey, insertPasskey, issueChallenge, listPasskeys, removePasskey, touchPasskey, type ChallengePurpose } from './passkey.repository.ts';
import { insertNamedPlayer } from './player-names.ts';

/** Where passkeys belong, from the WEBAUTHN_* settings. */
export interface PasskeyPolicy {
  /** The relying party id: the site's domain (`localhost` in development and tests). */
  rpId: string;
  /** The name authenticators show. */
  rpName: string;
  /** The origins pages may run a ceremony from (a function: the default names the port the server got). */
  origins: () => string[];
  /** How long a challenge may be answered, in ms. */
  challengeTtlMs: number;
  /** The clock (ms), for tests. */
  now?: () => number;
}

/** A refused ceremony: the API answers `status` with `code` and the message. */
export class PasskeyError extends Error {
  readonly code: PasskeyErrorCode;
  readonly status: number;
  constructor(code: PasskeyErrorCode, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = status;
  }
}

/** A player id (uuid) as the 16 bytes of a WebAuthn user handle. */
const userHandle = (playerId: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(playerId.replace(/-/g, ''), 'hex'));

/** The library's words for a response that does not verify, bounded (they can quote the response). */
const refusal = (err: unknown): PasskeyError =>
  err instanceof PasskeyError ? err : new PasskeyError(PasskeyErrorCode.Refused, 400, `the passkey's answer did not verify: ${String((err as Error)?.message ?? err).slice(0, 200)}`, { cause: err });

const expiredChallenge = () => new PasskeyError(PasskeyErrorCode.ChallengeExpired, 400, 'this passkey request was used already or has expired: start again');

/**
 * Passkeys for guest accounts (`ArenaServices['passkeys']`): register one with the account's guest
 * token, list them, and sign in with one (from any browser) to get the account's identity and a
 * fresh token. Every challenge is kept in the database, answered at most once and only before it
 * expires, so any server of several may verify the answer.
 */
export function passkeyService(db: Kysely<Database>, tokens: GuestTokenPolicy, policy: PasskeyPolicy) {
  const now = () => new Date(policy.now?.() ?? Date.now());
  const expiry = () => new Date(now().getTime() + policy.challengeTtlMs);

  /** The account behind a guest token (made again, under its name or a #tag, when the database was reset). */
  async function account(token: string): Promise<{ id: string; name: string }> {
    const { sub, name } = verifyGuestToken(tokens, token).claims;
    const row = await findPlayer(db, sub);
    return { id: sub, name: row?.name ?? (await insertNamedPlayer(db, sub, name, 'tag')) };
  }

  /**
   * A challenge checker for the library that uses the challenge up, and what to throw after a failed
   * verification: a challenge it found used up or expired, or else the library's reason.
   */
  function challengeOf(purpose: ChallengePurpose, playerId: string | null) {
    let refusedChallenge = false;
    return {
      verify: async (challenge: string) => {
        const fresh = await consumeChallenge(db, challenge, purpose, playerId, now());
        refusedChallenge = !fresh;
        return fresh;
      },
      failure: (err: unknown) => (refusedChallenge ? expiredChallenge() : refusal(err)),
    };
  }

  async function list(playerId: string): Promise<PasskeyList> {
    const rows = await listPasskeys(db, playerId);
    return {
      passkeys: rows.map((r, i) => ({ id: r.id, name: r.name ?? `Passkey ${i + 1}`, createdAt: r.created_at.toISOString(), lastUsedAt: r.last_used_at?.toISOString() ?? null, deviceType: r.device_type, backedUp: r.backed_up })),
    };
  }

  return {
    /** The options for `startRegistration()`: a discoverable credential for the token's account, none it has already. */
    async registrationOptions(token: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const player = await account(token);
      const existing = await listPasskeys(db, player.id);
      const options = await generateRegistrationOptions({
        rpName: policy.rpName,
        rpID: policy.rpId,
        userName: player.name,
        userDisplayName: player.name,
        userID: userHandle(player.id),
        attestationType: 'none',
        timeout: policy.challengeTtlMs,
        excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports as string[] })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      });
      await issueChallenge(db, { challenge: options.challenge, purpose: 'register', playerId: player.id, expiresAt: expiry() }, now());
      return options;
    },

    /**
     * Verifies `startRegistration()`'s answer and keeps the passkey on the token's account under `name`
     * (default "Passkey N", N its place among the account's passkeys); answers its passkeys.
     */
    async register(token: string, response: RegistrationResponse, name?: string): Promise<PasskeyList> {
      const player = await account(token);
      const challenge = challengeOf('register', player.id);
      let info;
      try {
        const verified = await verifyRegistrationResponse({
          response: response as Parameters<typeof verifyRegistrationResponse>[0]['response'],
          expectedChallenge: challenge.verify,
          expectedOrigin: policy.origins(),
          expectedRPID: policy.rpId,
          requireUserVerification: false,
        });
        if (!verified.verified) throw new Error('verification failed');
        info = verified.registrationInfo;
      } catch (err) {
        throw challenge.failure(err);
      }
      const stored = await insertPasskey(db, {
        id: info.credential.id,
        playerId: player.id,
        publicKey: info.credential.publicKey,
        counter: info.credential.counter,
        transports: info.credential.transports ?? response.response.transports ?? [],
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        name: name ?? `Passkey ${(await listPasskeys(db, player.id)).length + 1}`,
      });
      if (!stored) throw new PasskeyError(PasskeyErrorCode.AlreadyRegistered, 409, 'this passkey is registered already');
      return list(player.id);
    },

    /** The passkeys of the token's account. */
    async list(token: string): Promise<PasskeyList> {
      return list((await account(token)).id);
    },

    /**
     * Removes one of the token's account's passkeys: it can sign in nowhere after. The account's last passkey
     * only with `confirmLast` (else `409 LAST_PASSKEY`): without one the account lives only in the browsers that
     * hold its token. A passkey of another account, or none, is `404 UNKNOWN_PASSKEY` (whose it is stays unsaid).
     * Answers the passkeys left.
     */
    async remove(token: string, id: string, confirmLast: boolean): Promise<PasskeyList> {
      const player = await account(token);
      const outcome = await removePasskey(db, player.id, id, confirmLast);
      if (outcome === 'unknown') throw new PasskeyError(PasskeyErrorCode.UnknownPasskey, 404, 'your account has no passkey with this id (removed already?)');
      if (outcome === 'last')
        throw new PasskeyError(
          PasskeyErrorCode.LastPasskey,
          409,
          'this is your account\'s last passkey: without it the account can be signed in to nowhere else, and lives only in the browsers that hold its token. Send {"confirmLast":true} to remove it anyway',
        );
      return list(player.id);
    },

    /** The options for `startAuthentication()`: any passkey of this arena (the browser asks which). */
    async signInOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const options = await generateAuthenticationOptions({ rpID: policy.rpId, userVerification: 'preferred', timeout: policy.challengeTtlMs });
      await issueChallenge(db, { challenge: options.challenge, purpose: 'sign_in', playerId: null, expiresAt: expiry() }, now());
      return options;
    },

    /** Verifies `startAuthentication()`'s answer: the passkey's account, under its current name, with a fresh token. */
    async signIn(response: AuthenticationResponse): Promise<GuestIdentity> {
      const passkey = await findPasskey(db, response.id);
      if (!passkey) throw new PasskeyError(PasskeyErrorCode.UnknownPasskey, 401, 'this passkey is not registered in this arena');
      const challenge = challengeOf('sign_in', null);
      let info;
      try {
        const verified = await verifyAuthenticationResponse({
          response: response as Parameters<typeof verifyAuthenticationResponse>[0]['response'],
          expectedChallenge: challenge.verify,
          expectedOrigin: policy.origins(),
          expectedRPID: policy.rpId,
          credential: { id: passkey.id, publicKey: new Uint8Array(passkey.public_key), counter: Number(passkey.counter), transports: passkey.transports as string[] },
          requireUserVerification: false,
        });
        if (!verified.verified) throw new Error('verification failed');
        info = verified.authenticationInfo;
      } catch (err) {
        throw challenge.failure(err);
      }
      await touchPasskey(db, passkey.id, info.newCounter, info.credentialBackedUp, now());
      const player = await findPlayer(db, passkey.player_id);
      if (!player) throw new PasskeyError(PasskeyErrorCode.UnknownPasskey, 401, 'the account of this passkey is gone');
      return identity(tokens, player.id, player.name);
    },
  };
}

export type PasskeyService = ReturnType<typeof passkeyService>;
