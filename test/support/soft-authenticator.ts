/**
 * A software passkey authenticator for server-level tests: it answers the options a server sends as a
 * platform authenticator would (P-256 keys, ES256 signatures, `none` attestation, a signature counter),
 * so the server's real verification runs on real cryptography without a browser. Browser tests use
 * Chromium's virtual authenticator instead.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

const b64u = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

/** Authenticator data flags (WebAuthn §6.1): user present, user verified, attested credential data included. */
const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

interface Credential {
  id: Buffer;
  privateKey: KeyObject;
  userHandle: string;
  counter: number;
}

export class SoftAuthenticator {
  private readonly credentials: Credential[] = [];
  private readonly origin: string;
  private readonly rpId: string;
  /** The origin it says the page ran on, and the relying party it answers for. */
  constructor(origin: string, rpId = 'localhost') {
    this.origin = origin;
    this.rpId = rpId;
  }

  /** Answers registration options with a new credential (kept for later sign-ins). */
  register(options: PublicKeyCredentialCreationOptionsJSON, overrides: { origin?: string; challenge?: string } = {}): RegistrationResponseJSON {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const id = randomBytes(32);
    // COSE_Key: kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
    const coseKey = isoCBOR.encode(new Map<number, number | Uint8Array>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, 'base64url')], [-3, Buffer.from(jwk.y!, 'base64url')]]));
    const counter = Buffer.alloc(4);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const authData = Buffer.concat([sha256(this.rpId), Buffer.from([UP | UV | AT]), counter, Buffer.alloc(16), idLength, id, coseKey]);
    const clientData = JSON.stringify({ type: 'webauthn.create', challenge: overrides.challenge ?? options.challenge, origin: overrides.origin ?? this.origin, crossOrigin: false });
    const attestationObject = isoCBOR.encode(new Map<string, string | Uint8Array | Map<string, number>>([['fmt', 'none'], ['attStmt', new Map<string, number>()], ['authData', authData]]));
    this.credentials.push({ id, privateKey, userHandle: options.user.id, counter: 0 });
    return {
      id: b64u(id),
      rawId: b64u(id),
      type: 'public-key',
      response: { clientDataJSON: b64u(clientData), attestationObject: b64u(attestationObject), transports: ['internal'] },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** Answers sign-in options with the credential made `which`-th (default the latest), its counter one up. */
  signIn(options: PublicKeyCredentialRequestOptionsJSON, overrides: { which?: number; origin?: string; counter?: number } = {}): AuthenticationResponseJSON {
    const credential = this.credentials.at(overrides.which ?? -1);
    if (!credential) throw new Error('this authenticator has no credential yet');
    credential.counter = overrides.counter ?? credential.counter + 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(credential.counter);
    const authData = Buffer.concat([sha256(this.rpId), Buffer.from([UP | UV]), counter]);
    const clientData = JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin: overrides.origin ?? this.origin, crossOrigin: false });
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), credential.privateKey); // DER, as authenticators sign
    return {
      id: b64u(credential.id),
      rawId: b64u(credential.id),
      type: 'public-key',
      response: { clientDataJSON: b64u(clientData), authenticatorData: b64u(authData), signature: b64u(signature), userHandle: credential.userHandle },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }
}
