import { z } from 'zod';

export const uuidSchema = z.uuid();
export const datasetIdSchema = z.uuid();
export const jobIdSchema = z.uuid();
export const modelIdSchema = z.uuid();
/** Registry id of a base model, e.g. mobilenet_v2_mid. */
export const baseModelIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'lowercase letters, digits, _ . - (max 64)');
export const layerNameSchema = z.string().min(1).max(200);
export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256');
