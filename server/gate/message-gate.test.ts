import type { Client } from '@colyseus/core';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GATE_LIMITS, MessageGate } from './message-gate.ts';

const sdk = new Packr();
/** A ROOM_DATA frame as the SDK sends it: code 13, the type as a MessagePack string, the payload. */
function frame(type: string | number, payload?: unknown): Uint8Array {
  const head = typeof type === 'string' ? [13, 0xa0 | Buffer.byteLength(type), ...Buffer.from(type)] : [13, type];
  return Uint8Array.from([...head, ...(payload === undefined ? [] : sdk.pack(payload))]);
}
const client = () => ({ sessionId: 'c' }) as unknown as Client;

describe('MessageGate', () => {
  it('passes known types and protocol frames, refuses unknown and non-string types naming them', () => {
    const gate = new MessageGate({ ...DEFAULT_GATE_LIMITS, offencesBeforeClose: 10 }, new Set(['spec', 'ready']));
    const c = client();
    expect(gate.admit(c, frame('spec', { spec: { layers: [] } }))).toEqual({ kind: 'pass' });
    expect(gate.admit(c, Uint8Array.of(10))).toEqual({ kind: 'pass' }); // JOIN_ROOM
    expect(gate.admit(c, frame('teleport', { x: 1 }))).toMatchObject({ kind: 'refuse', refusal: { code: 'BAD_MESSAGE', about: 'teleport', message: expect.stringContaining('unknown message type "teleport"') } });
    expect(gate.admit(c, frame('*', [[[[]]]]))).toMatchObject({ kind: 'refuse', refusal: { about: '*' } });
    expect(gate.admit(c, frame(7, {}))).toMatchObject({ kind: 'refuse', refusal: { field: 'type', message: 'message types are strings' } });
    expect(gate.admit(c, frame('ready', { ready: true }))).toEqual({ kind: 'pass' });
  });

  it('closes on garbage at once and on the second offence', () => {
    const gate = new MessageGate(DEFAULT_GATE_LIMITS, new Set(['spec']));
    const a = client();
    expect(gate.admit(a, Uint8Array.of(13, 0xa4, 0x73, 0x70, 0x65, 0x63, 0xc1, 0xc1))).toMatchObject({ kind: 'close' });
    expect(gate.admit(a, frame('spec', {}))).toEqual({ kind: 'close', reason: 'already closed' });
    expect(gate.admit(client(), Uint8Array.of(21, 1, 0xa1, 0x78))).toMatchObject({ kind: 'close', reason: 'frame code 21 is not accepted' });
    const b = client();
    const deep = frame('spec', 0);
    const nested = Uint8Array.from([...deep.subarray(0, deep.length - 1), ...new Array(4000).fill(0x91), 0x90]);
    expect(gate.admit(b, nested)).toMatchObject({ kind: 'refuse', refusal: { about: 'spec', message: 'spec: the payload is nested deeper than 8 levels' } });
    expect(gate.admit(b, frame('nope'))).toMatchObject({ kind: 'close', refusal: { about: 'nope' } });
  });

  it('closes a connection that sends more than the limit in a second, and counts each connection apart', () => {
    let t = 0;
    const gate = new MessageGate({ ...DEFAULT_GATE_LIMITS, messagesPerSecond: 5 }, new Set(['ready']), () => t);
    const [a, b] = [client(), client()];
    for (let i = 0; i < 5; i++) expect(gate.admit(a, frame('ready', { ready: true }))).toEqual({ kind: 'pass' });
    t = 999;
    expect(gate.admit(b, frame('ready', { ready: true }))).toEqual({ kind: 'pass' });
    expect(gate.admit(a, frame('ready', { ready: true }))).toMatchObject({ kind: 'close', reason: 'more than 5 messages in a second' });
    t = 2000; // b's window began at 999
    for (let i = 0; i < 5; i++) expect(gate.admit(b, frame('ready', { ready: true }))).toEqual({ kind: 'pass' });
  });
});
