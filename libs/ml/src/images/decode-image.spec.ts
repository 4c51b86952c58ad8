import { decodeImage, ImageDecodeError } from './decode-image';
import { imageFixture } from '../testing';

const size = { width: 16, height: 16 };

describe('decodeImage', () => {
  it.each(['png-alpha', 'grey-jpeg', 'webp', 'gif'] as const)('decodes %s to RGB at the model size', async (kind) => {
    const image = await decodeImage(await imageFixture(kind), `${kind}.img`, size);
    expect(image.pixels.length).toBe(16 * 16 * 3);
    expect([image.width, image.height]).toEqual([16, 16]);
  });

  it('flattens transparency onto white and keeps grey images grey in all three channels', async () => {
    const transparent = await decodeImage(await imageFixture('png-alpha'), 'a.png', size);
    expect(Array.from(transparent.pixels.slice(0, 3))).toEqual([255, 255, 255]);
    const grey = await decodeImage(await imageFixture('grey-jpeg'), 'g.jpg', size);
    const [r, g, b] = Array.from(grey.pixels.slice(0, 3));
    expect(r).toBe(g);
    expect(g).toBe(b);
  });

  it('honours EXIF orientation (a 40×20 image tagged "rotate 90°" is 20×40)', async () => {
    const image = await decodeImage(await imageFixture('jpeg-rotated'), 'r.jpg', size);
    expect([image.originalWidth, image.originalHeight]).toEqual([20, 40]);
  });

  it.each([
    ['empty', new Uint8Array(0), /empty.jpg: file is empty/],
    ['text', new TextEncoder().encode('hello, not an image'), /text.jpg: not a readable image/],
  ])('rejects a %s file with an error naming it', async (name, bytes, message) => {
    await expect(decodeImage(bytes as Uint8Array, `${name}.jpg`, size)).rejects.toThrow(message);
  });

  it('rejects truncated files, oversized files and decompression bombs', async () => {
    await expect(decodeImage(await imageFixture('truncated-png'), 'cut.png', size)).rejects.toBeInstanceOf(ImageDecodeError);
    const png = await imageFixture('png-alpha');
    await expect(decodeImage(png, 'big.png', size, { maxBytes: 10, maxPixels: 1e9 })).rejects.toThrow(/big.png: file is .* over the 10-byte limit/);
    await expect(decodeImage(png, 'bomb.png', size, { maxBytes: 1e9, maxPixels: 100 })).rejects.toThrow(/bomb.png: .*pixel/);
  });
});
