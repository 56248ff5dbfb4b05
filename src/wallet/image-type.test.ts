import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sniffImageType } from './image-type.ts';
import { tinyPng } from './tiny-png.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);
const text = (value: string) => new TextEncoder().encode(value);

test('a PNG, a JPEG and a WebP are known by their first bytes', () => {
  assert.equal(sniffImageType(tinyPng()), 'image/png');
  assert.equal(sniffImageType(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46)), 'image/jpeg');
  assert.equal(sniffImageType(Uint8Array.from([...text('RIFF'), 0x24, 0, 0, 0, ...text('WEBPVP8 ')])), 'image/webp');
});

test('anything else is not an image, whatever it is called: PDF, SVG, GIF, HTML, a RIFF that is not WebP, too few bytes, nothing', () => {
  for (const sample of [
    text('%PDF-1.7'),
    text('<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    text('GIF89a'),
    text('<!doctype html>'),
    Uint8Array.from([...text('RIFF'), 0x24, 0, 0, 0, ...text('WAVEfmt ')]),
    tinyPng().subarray(0, 7),
    bytes(0xff, 0xd8),
    new Uint8Array(0),
  ]) {
    assert.equal(sniffImageType(sample), null, new TextDecoder().decode(sample));
  }
});
