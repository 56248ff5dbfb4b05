/**
 * A real, small PNG made in memory, for tests and the demo lab that upload an identity document: a card-shaped
 * picture (a light card with a darker photo box and text lines) that any image viewer opens.
 */
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** An RGB PNG of `width` × `height` pixels that looks like an ID card. */
export function tinyPng(width = 86, height = 54): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit depth, truecolour, deflate, no filter method, no interlace
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3); // filter byte 0 (none), then RGB
    for (let x = 0; x < width; x++) {
      const photo = x > 4 && x < 26 && y > 10 && y < 44;
      const line = x > 32 && x < width - 6 && (y === 16 || y === 24 || y === 32);
      const border = x === 0 || y === 0 || x === width - 1 || y === height - 1;
      const [r, g, b] = photo ? [120, 140, 170] : line || border ? [40, 60, 90] : [232, 240, 250];
      row.set([r, g, b], 1 + x * 3);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
