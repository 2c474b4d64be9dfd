import { CloseCode, MatchMakeError, ServerError } from '@colyseus/sdk';
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, describeError, MAX_DESCRIPTION } from './describe-error.ts';

describe('describeError', () => {
  it('says the message when there is one', () => {
    expect(describeError(new Error('the race did not finish within 5s'))).toBe('the race did not finish within 5s');
    expect(describeError('a string')).toBe('a string');
  });

  it('names an error without a message by its name and code', () => {
    // what @colyseus/sdk rejects a join with when the WebSocket fails before it opens
    expect(describeError(new MatchMakeError('', undefined as unknown as number))).toBe('MatchMakeError with no message');
    expect(describeError(new ServerError(503, ''))).toBe('the server answered 503 with no message (ServerError)');
    expect(describeError(new MatchMakeError('seat reservation expired.', 524))).toBe('seat reservation expired. (matchmaking error 524: the seat reservation expired)');
    expect(describeError(new Error(''))).toBe('Error with no message');
  });

  it('puts a WebSocket close code and reason into words', () => {
    expect(describeError({ code: 4002, reason: 'seat reservation expired.' })).toBe('WebSocket closed with code 4002 (closed with an error): seat reservation expired.');
    expect(describeError({ code: 1006, reason: '' })).toBe('WebSocket closed with code 1006 (abnormal closure: the connection dropped without a close frame)');
    expect(describeError({ code: 4999 })).toBe('WebSocket closed with code 4999');
    for (const code of Object.values(CloseCode)) expect(CLOSE_CODES[code], `close code ${code}`).toBeDefined();
  });

  it('follows the cause chain, once each', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const fetchFailed = new TypeError('fetch failed', { cause: refused });
    expect(describeError(new Error('could not reach http://127.0.0.1:9', { cause: fetchFailed }))).toBe('could not reach http://127.0.0.1:9: fetch failed: connect ECONNREFUSED 127.0.0.1:9');
    const loop = new Error('loop');
    loop.cause = loop;
    expect(describeError(loop)).toBe('loop');
  });

  it('never answers with an empty string, whatever is thrown', () => {
    for (const thrown of [undefined, null, '', '  ', 0, false, {}, [], new Error(''), Object.create(null), Symbol('s'), new AggregateError([]), new AggregateError([new Error('a'), 'b'])]) {
      expect(describeError(thrown).trim(), String(typeof thrown)).not.toBe('');
    }
    expect(describeError(new AggregateError([new Error('a'), 'b'], 'two failed'))).toBe('two failed: a; b');
  });

  it('bounds what it prints', () => {
    const text = describeError(new Error('x'.repeat(100_000)));
    expect(text.length).toBe(MAX_DESCRIPTION);
    expect(text.endsWith('…')).toBe(true);
  });
});
