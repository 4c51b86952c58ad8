/**
 * Embeddings are stored as float32 little-endian bytes: 4 bytes a dimension, about a
 * quarter of a JSON array's size, and decoded without parsing.
 */
export function encodeVector(vector: Float32Array | readonly number[]): Uint8Array<ArrayBuffer> {
  const floats = vector instanceof Float32Array ? vector : Float32Array.from(vector);
  const bytes = new Uint8Array(new ArrayBuffer(floats.length * 4));
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < floats.length; i++) {
    const value = floats[i] as number;
    if (!Number.isFinite(value)) throw new Error(`embedding has a non-finite value at index ${i}`);
    view.setFloat32(i * 4, value, true);
  }
  return bytes;
}

export function decodeVector(bytes: Uint8Array, expectedDim?: number): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new Error(`embedding bytes (${bytes.byteLength}) are not a multiple of 4`);
  const dim = bytes.byteLength / 4;
  if (expectedDim !== undefined && dim !== expectedDim) throw new Error(`embedding has ${dim} dimensions, expected ${expectedDim}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
