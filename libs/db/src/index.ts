export * from './prisma-client';
export { decodeVector, encodeVector } from './vector-codec';
