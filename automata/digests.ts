// The digest function D(·) of Section 2.1: SHA-256 over a canonical encoding. Modelled as
// collision resistant: equal digests mean equal values. A digest is a lower-case hex string.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export type Digest = string;

/** SHA-256 of the canonical encoding `text`. */
export function D(text: string): Digest {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** The short form used when printing: enough to tell digests apart by eye. */
export function shortDigest(d: Digest): string {
  return d.slice(0, 8);
}
