/**
 * Words for values a client sent, bounded whatever the value is: a string is
 * cut to `max` characters with its control characters escaped, and any other
 * value is named by its kind, never formatted (`String()` of an array nested
 * 4,000 deep overflows the stack; of a 10 MB string, floods the log).
 */
export function describeUntrusted(value: unknown, max = 64): string {
  switch (typeof value) {
    case 'string': {
      const cut = value.length > max ? `${value.slice(0, max)}…` : value;
      return JSON.stringify(cut);
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'nothing';
    case 'symbol':
    case 'function':
      return `a ${typeof value}`;
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'an array';
      if (value instanceof Uint8Array) return 'bytes';
      return 'an object';
  }
}
