// A minimal reader of ZIP archives (enough for DOCX/XLSX downloads): walks the central directory,
// checks each local header, and inflates stored or deflated members with node:zlib. Written for
// the tests so that no unzip tool or extra npm package is needed; it refuses anything it does not
// understand (ZIP64, encryption, other methods) instead of guessing.

import zlib from 'node:zlib';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Parses `buf` and returns a Map from member name to its uncompressed bytes. Throws if invalid. */
export function readZip(buf) {
  if (!Buffer.isBuffer(buf) || buf.length < 22) throw new Error('not a zip: too short');
  // The end-of-central-directory record sits in the last 22 + up to 65535 (comment) bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip: no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) throw new Error('ZIP64 archives are not supported');
  if (cdOffset + cdSize > eocd) throw new Error('central directory runs past its end record');

  const members = new Map();
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== CENTRAL) throw new Error(`bad central directory entry #${n}`);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;

    if (flags & 0x1) throw new Error(`${name}: encrypted members are not supported`);
    if (buf.readUInt32LE(local) !== LOCAL) throw new Error(`${name}: bad local header`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compressed);
    let data;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = zlib.inflateRawSync(raw);
    else throw new Error(`${name}: compression method ${method} is not supported`);
    if (data.length !== size) throw new Error(`${name}: ${data.length} bytes inflated, ${size} declared`);
    if (typeof zlib.crc32 === 'function' && (zlib.crc32(data) >>> 0) !== crc) {
      throw new Error(`${name}: CRC mismatch`);
    }
    members.set(name, data);
  }
  return members;
}

/** The visible text of a WordprocessingML part: the <w:t> runs of each paragraph, one line per paragraph. */
export function docxText(documentXml) {
  const unescape = (s) => s
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
  return documentXml
    .split(/<\/w:p>/)
    .map((para) => Array.from(para.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g), (m) => unescape(m[1])).join(''))
    .filter((line) => line.length > 0)
    .join('\n');
}
