import sharp from 'sharp';

/** An image that could not be used, with the file (or sample) it came from and why. */
export class ImageDecodeError extends Error {
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`${source}: ${reason}`);
    this.name = 'ImageDecodeError';
  }
}

export interface DecodeLimits {
  /** Refuse files larger than this many bytes. */
  maxBytes: number;
  /** Refuse images with more pixels than this (decompression bombs). */
  maxPixels: number;
}

export const defaultDecodeLimits: DecodeLimits = { maxBytes: 50 * 1024 * 1024, maxPixels: 40_000_000 };

const supportedFormats = new Set(['jpeg', 'png', 'webp', 'gif']);

export interface DecodedImage {
  /** RGB, row-major, values 0..255, height × width × 3. */
  pixels: Uint8Array;
  width: number;
  height: number;
  /** Before resizing. */
  originalWidth: number;
  originalHeight: number;
  format: string;
}

/**
 * Decodes JPEG, PNG, WebP or GIF (first frame), applies EXIF orientation, flattens alpha onto
 * white, turns grey into RGB and resizes to `size` × `size` (stretching, as the bases were
 * trained). Anything unusable raises ImageDecodeError naming `source`.
 */
export async function decodeImage(bytes: Uint8Array, source: string, size: { width: number; height: number }, limits: DecodeLimits = defaultDecodeLimits): Promise<DecodedImage> {
  if (bytes.byteLength === 0) throw new ImageDecodeError(source, 'file is empty');
  if (bytes.byteLength > limits.maxBytes) throw new ImageDecodeError(source, `file is ${bytes.byteLength} bytes, over the ${limits.maxBytes}-byte limit`);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: limits.maxPixels, pages: 1 }).metadata();
  } catch (error) {
    throw new ImageDecodeError(source, `not a readable image (${firstLine(error)})`);
  }
  if (!meta.format || !supportedFormats.has(meta.format)) throw new ImageDecodeError(source, `unsupported image format ${meta.format ?? 'unknown'} (use JPEG, PNG, WebP or GIF)`);
  if (!meta.width || !meta.height) throw new ImageDecodeError(source, 'image has no dimensions');
  if (meta.width * meta.height > limits.maxPixels) throw new ImageDecodeError(source, `image is ${meta.width}×${meta.height}, over the ${limits.maxPixels}-pixel limit`);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, pages: 1, failOn: 'truncated' })
      .rotate() // EXIF orientation
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb')
      .resize(size.width, size.height, { fit: 'fill', kernel: 'lanczos3' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
    const rotated = (meta.orientation ?? 1) >= 5;
    return {
      pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      originalWidth: rotated ? meta.height : meta.width,
      originalHeight: rotated ? meta.width : meta.height,
      format: meta.format,
    };
  } catch (error) {
    throw new ImageDecodeError(source, `could not decode image (${firstLine(error)})`);
  }
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0] ?? 'unknown error';
}
