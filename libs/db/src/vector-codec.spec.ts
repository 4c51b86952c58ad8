import { decodeVector, encodeVector } from './vector-codec';

describe('vector codec', () => {
  it('round-trips float32 values exactly and uses 4 bytes a dimension', () => {
    const v = Float32Array.from([0, -0.5, 1234.5678, 3.4e38]);
    const bytes = encodeVector(v);
    expect(bytes.byteLength).toBe(16);
    expect(Array.from(decodeVector(bytes))).toEqual(Array.from(v));
  });

  it('refuses NaN and infinities, which would poison training', () => {
    expect(() => encodeVector([1, Number.NaN])).toThrow(/index 1/);
    expect(() => encodeVector([Infinity])).toThrow(/non-finite/);
  });

  it('names a wrong length or dimension', () => {
    expect(() => decodeVector(Buffer.alloc(6))).toThrow(/multiple of 4/);
    expect(() => decodeVector(Buffer.alloc(8), 3)).toThrow(/2 dimensions, expected 3/);
  });
});
