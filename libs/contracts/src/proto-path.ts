import path from 'node:path';

/** Path of tern.proto, for gRPC servers and clients (Node only; the browser-safe index does not export it). */
export const ternProtoPath = path.join(__dirname, '../proto/tern.proto');
