import { browserSupportsWebAuthn, startAuthentication, startRegistration, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { GuestIdentity } from '../../shared/identity.schema.ts';
import { PasskeyList } from '../../shared/passkey.schema.ts';
import { keepIdentity, savedToken } from './arena-client.ts';

/** Whether this browser can make and use passkeys at all. */
export const passkeysSupported = (): boolean => browserSupportsWebAuthn();

/** Calls the passkey API; a refusal becomes an Error in the server's words. */
async function call(method: 'GET' | 'POST' | 'DELETE', path: string, opts: { token?: string | undefined; body?: unknown } = {}): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`/api/passkeys${path}`, {
      method,
      headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
  } catch {
    throw new Error('the arena cannot be reached: check your connection');
  }
  const json = (await res.json().catch(() => ({}))) as { error?: { message?: string; code?: string } };
  if (!res.ok) throw Object.assign(new Error(json.error?.message ?? `the server answered ${res.status}`), { code: json.error?.code });
  return json;
}

/**
 * What a new passkey is called until its owner renames it: the browser and system it was made on
 * ("Chrome on Android"), so that the account's list tells its passkeys apart.
 */
export function deviceLabel(ua: string = navigator.userAgent): string {
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /OPR\//.test(ua) ? 'Opera' : /Chrom(e|ium)\//.test(ua) ? (/Chromium\//.test(ua) ? 'Chromium' : 'Chrome') : /Safari\//.test(ua) ? 'Safari' : 'A browser';
  const system = /Android/.test(ua) ? 'Android' : /iPhone|iPad|iPod/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS X|Macintosh/.test(ua) ? 'macOS' : /CrOS/.test(ua) ? 'ChromeOS' : /Linux/.test(ua) ? 'Linux' : '';
  return system ? `${browser} on ${system}` : browser;
}

/** The browser's words when the person closed the prompt or it timed out, instead of an exception's. */
function ceremonyFailure(err: unknown, doing: string): Error {
  const name = (err as { name?: string }).name;
  const code = (err as { code?: string }).code;
  if (name === 'NotAllowedError' || code === 'ERROR_CEREMONY_ABORTED') return new Error(`${doing} was cancelled or timed out: nothing changed`);
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return new Error('this device already holds a passkey for your account');
  return new Error(`${doing} failed: ${err instanceof Error ? err.message : String(err)}`);
}

/** The passkeys of this browser's account (none without an account). */
export async function myPasskeys(): Promise<PasskeyList> {
  const token = savedToken();
  if (!token) return { passkeys: [] };
  return PasskeyList.parse(await call('GET', '', { token }));
}

/**
 * Secures this browser's guest account with a new passkey (the account must exist: sign in as a guest first).
 * The browser asks the person to confirm with their device (fingerprint, face, PIN or security key).
 */
export async function securePasskey(): Promise<PasskeyList> {
  const token = savedToken();
  if (!token) throw new Error('choose a name first: a passkey secures an account');
  const optionsJSON = (await call('POST', '/register/options', { token })) as PublicKeyCredentialCreationOptionsJSON;
  let response;
  try {
    response = await startRegistration({ optionsJSON });
  } catch (err) {
    throw ceremonyFailure(err, 'Making a passkey');
  }
  return PasskeyList.parse(await call('POST', '/register/verify', { token, body: { response, name: deviceLabel() } }));
}

/**
 * Removes one of this browser's account's passkeys: it signs in nowhere after. The last one only with
 * `confirmLast` (the server refuses it otherwise). Answers the passkeys left. Where the browser can, it also
 * tells the device's passkey manager that the passkey is gone, so that it stops offering it.
 */
export async function removePasskey(id: string, confirmLast: boolean): Promise<PasskeyList> {
  const token = savedToken();
  if (!token) throw new Error('this browser holds no account');
  const left = PasskeyList.parse(await call('DELETE', `/${encodeURIComponent(id)}`, { token, body: { confirmLast } }));
  const signal = (PublicKeyCredential as unknown as { signalUnknownCredential?: (o: { rpId: string; credentialId: string }) => Promise<void> }).signalUnknownCredential;
  if (signal) await signal.call(PublicKeyCredential, { rpId: location.hostname, credentialId: id }).catch(() => {});
  return left;
}

/**
 * Signs in with a passkey made on this or another device: this browser then keeps that account
 * (its name, progress and a fresh token), in place of any guest account it had.
 */
export async function signInWithPasskey(): Promise<GuestIdentity> {
  const optionsJSON = (await call('POST', '/sign-in/options')) as PublicKeyCredentialRequestOptionsJSON;
  let response;
  try {
    response = await startAuthentication({ optionsJSON });
  } catch (err) {
    throw ceremonyFailure(err, 'Signing in with a passkey');
  }
  return keepIdentity(GuestIdentity.parse(await call('POST', '/sign-in/verify', { body: { response } })));
}
