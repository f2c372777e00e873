/**
 * The v1 record encoder as lib/crypto shipped it before envelope v2 (commit 9269f4b), kept
 * here for tests only: the app never writes v1 again, but every v1 envelope already stored
 * must keep decrypting, so the properties (flipped bits, truncation, wrong context) run over
 * freshly made v1 envelopes as well as over the committed fixture.
 */
import { encodeRecordContext, type RecordContext } from "../../../lib/crypto/context.ts";
import {
  GCM_NONCE_LENGTH,
  KEY_LENGTH,
  aesGcmEncrypt,
  aesKwWrap,
  concatBytes,
  randomBytes,
} from "../../../lib/crypto/primitives.ts";

export const V1_HEADER_LENGTH = 76;

export function encryptRecordV1(
  plaintext: Uint8Array,
  ctx: RecordContext & { category: number },
  categoryKey: Uint8Array,
  epoch: number,
): Uint8Array {
  if (epoch < 0 || epoch > 255) throw new Error(`a v1 envelope holds epochs 0..255, got ${epoch}`);
  const contentKey = randomBytes(KEY_LENGTH);
  const header = new Uint8Array(V1_HEADER_LENGTH);
  header.set([0x4d, 0x56, 0x45, 0x01, 0x01, 0x01, ctx.category, epoch], 0);
  header.set(randomBytes(16), 8);
  header.set(randomBytes(GCM_NONCE_LENGTH), 24);
  header.set(aesKwWrap(categoryKey, contentKey), 36);
  const sealed = aesGcmEncrypt(
    contentKey,
    header.subarray(24, 36),
    plaintext,
    concatBytes(encodeRecordContext(ctx), header),
  );
  contentKey.fill(0);
  return concatBytes(header, sealed);
}
