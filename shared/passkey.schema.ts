import { z } from 'zod';

/**
 * Passkeys (WebAuthn): a guest secures the account with one, then signs in with it in another
 * browser or on another device. The ceremonies' options come from the server as the JSON that
 * `@simplewebauthn/browser` takes; what the browser answers is checked here before the server
 * verifies it.
 */

const base64url = (what: string, max: number) =>
  z
    .string({ error: `${what} must be a base64url string` })
    .min(1, `${what} must not be empty`)
    .max(max, `${what} must be at most ${max} characters`)
    .regex(/^[A-Za-z0-9_-]+$/, `${what} must be base64url`);

/** A credential id: authenticators make them up to 1023 bytes (1364 base64url characters). */
const CredentialId = base64url('id', 1400);
const Transports = z.array(z.string().max(32)).max(10);
const ExtensionResults = z.object({}).loose();

/** What `startRegistration()` answers (RegistrationResponseJSON), bounded. */
export const RegistrationResponse = z.object({
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url('clientDataJSON', 4096),
    attestationObject: base64url('attestationObject', 16_384),
    authenticatorData: base64url('authenticatorData', 16_384).optional(),
    transports: Transports.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url('publicKey', 4096).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: ExtensionResults,
});
export type RegistrationResponse = z.infer<typeof RegistrationResponse>;

/** What `startAuthentication()` answers (AuthenticationResponseJSON), bounded. */
export const AuthenticationResponse = z.object({
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url('clientDataJSON', 4096),
    authenticatorData: base64url('authenticatorData', 16_384),
    signature: base64url('signature', 2048),
    userHandle: base64url('userHandle', 128).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: ExtensionResults,
});
export type AuthenticationResponse = z.infer<typeof AuthenticationResponse>;

/** What a passkey is called, so its owner can tell them apart ("Chrome on Android"): 1–40 characters. */
export const PasskeyName = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(1, 'name must not be empty')
  .max(40, 'name must be at most 40 characters');

/** POST /api/passkeys/register/verify (with the guest's token); without a name the passkey is called "Passkey N". */
export const PasskeyRegistration = z.object({ response: RegistrationResponse, name: PasskeyName.optional() });

/** A passkey's id in `DELETE /api/passkeys/:id`. */
export const PasskeyId = CredentialId;

/**
 * The body of `DELETE /api/passkeys/:id` (with the owner's guest token). Removing the account's last passkey
 * leaves it a guest account that lives only in the browsers holding its token: refused with `409 LAST_PASSKEY`
 * unless `confirmLast` is true.
 */
export const PasskeyRemoval = z.strictObject({ confirmLast: z.boolean({ error: 'confirmLast must be true or false' }).default(false) });
export type PasskeyRemoval = z.infer<typeof PasskeyRemoval>;
/** POST /api/passkeys/sign-in/verify: answers the account's identity (`GuestIdentity`), with a fresh token. */
export const PasskeySignIn = z.object({ response: AuthenticationResponse });

/** One of the account's passkeys, as its owner sees them (GET /api/passkeys). */
export const PasskeyInfo = z.object({
  id: z.string(),
  /** Its name, or "Passkey N" (its place in the order made) for one made before passkeys had names. */
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  /** `multiDevice`: synced by a password manager or platform (it may be backed up). */
  deviceType: z.enum(['singleDevice', 'multiDevice']),
  backedUp: z.boolean(),
});
export type PasskeyInfo = z.infer<typeof PasskeyInfo>;
export const PasskeyList = z.object({ passkeys: z.array(PasskeyInfo) });
export type PasskeyList = z.infer<typeof PasskeyList>;

/** Why a passkey ceremony was refused (the `code` of the API's error). */
export const PasskeyErrorCode = {
  /** The challenge was used already, expired, or never issued: start the ceremony again. */
  ChallengeExpired: 'CHALLENGE_EXPIRED',
  /** The passkey is not registered in this arena (or was removed). */
  UnknownPasskey: 'UNKNOWN_PASSKEY',
  /** The authenticator's answer did not verify (wrong origin, signature, relying party…). */
  Refused: 'PASSKEY_REFUSED',
  /** This passkey is registered already. */
  AlreadyRegistered: 'PASSKEY_REGISTERED',
  /** Removing this passkey would leave the account none, and the request did not confirm that (`confirmLast`). */
  LastPasskey: 'LAST_PASSKEY',
} as const;
export type PasskeyErrorCode = (typeof PasskeyErrorCode)[keyof typeof PasskeyErrorCode];
