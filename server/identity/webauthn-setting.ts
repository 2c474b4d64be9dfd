import { z } from 'zod';

/** WEBAUTHN_ORIGINS from the environment: comma-separated origins pages run passkey ceremonies from. */
export const WebauthnOriginsSetting = z.string().transform((text, ctx): string[] => {
  const entries = text.split(',').map((e) => e.trim().replace(/\/$/, '')).filter(Boolean);
  for (const entry of entries) {
    let origin: string | undefined;
    try {
      origin = new URL(entry).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== entry) {
      ctx.addIssue({ code: 'custom', message: `WEBAUTHN_ORIGINS: "${entry}" is not an origin (scheme://host[:port], no path), e.g. https://arena.example.com` });
      return z.NEVER;
    }
  }
  if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'WEBAUTHN_ORIGINS names no origin' });
  return entries;
});

/**
 * Why these passkey settings cannot work, if they cannot: browsers only run a ceremony for a relying
 * party id that is the page's host or a domain it belongs to, and only on https (or http://localhost).
 */
export function webauthnProblem(rpId: string, origins: readonly string[]): string | undefined {
  for (const origin of origins) {
    const url = new URL(origin);
    if (url.hostname !== rpId && !url.hostname.endsWith(`.${rpId}`)) return `WEBAUTHN_ORIGINS: ${origin} is not on WEBAUTHN_RP_ID ${rpId} (nor a subdomain of it)`;
    if (url.protocol !== 'https:' && url.hostname !== 'localhost') return `WEBAUTHN_ORIGINS: ${origin} must be https (browsers allow passkeys over http only on localhost)`;
  }
  return undefined;
}

/**
 * The origins pages come from when WEBAUTHN_ORIGINS is not set: http://localhost on the port the server
 * listens on, or https on the relying party's own domain.
 */
export const defaultWebauthnOrigins = (rpId: string, port: number): string[] => (rpId === 'localhost' ? [`http://localhost:${port}`] : [`https://${rpId}`]);
