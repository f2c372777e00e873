/**
 * Upload and read of record ciphertext, and read of key-share objects.
 *
 * The service never sees plaintext: uploads must be MedVault envelopes (ciphertext
 * with a self-describing header), and reads hand back exactly the bytes the CID
 * names (the store verifies them) to an account the contract lets read the record now.
 */
import { getAddress, isAddress, isAddressEqual, type Address } from "viem";
import type { CID } from "multiformats/cid";
import type { RecordAnchor } from "../chain/client.ts";
import { FLAG_ERASED, REGISTRAR_ROLE } from "../chain/vocabulary.ts";
import { cidToDigest, computeCid, FLAG_DAG_PB, parseCid } from "../storage/cid.ts";
import { BadCidError, IntegrityError, NotFoundError, StorageUnavailableError } from "../storage/types.ts";
import type { AccessAction, AccessLogInput } from "./access-log.ts";
import { requireSession } from "./auth.ts";
import { readBodyLimited } from "./body.ts";
import type { ServiceContext } from "./context.ts";
import { requireViewingSession, uploaderRole } from "./chain-reads.ts";
import { classifyEnvelope, ENVELOPE_PREFIX_BYTES } from "./envelope.ts";
import { assertSameOrigin, handle, HttpError, json, mediaType, methodNotAllowed } from "./http.ts";
import type { Session } from "./session.ts";

/** Refuses a CID other than the one anchored on-chain for the record (digest and codec). */
function assertAnchoredCid(cid: CID, anchor: RecordAnchor, patient: Address, recordId: number): void {
  const { digest, dagPb } = cidToDigest(cid);
  if (digest.toLowerCase() !== anchor.cidDigest.toLowerCase() || dagPb !== ((anchor.flags & FLAG_DAG_PB) !== 0))
    throw new HttpError(
      403,
      "CID_MISMATCH",
      `${cid} is not the CID anchored on-chain for record ${recordId} of ${patient}`,
    );
}

function storageHttpError(err: unknown, cid: string): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof StorageUnavailableError) {
    return new HttpError(
      503,
      "STORAGE_UNAVAILABLE",
      `storage is unavailable: ${err.message}`,
      {},
      { "retry-after": "5" },
    );
  }
  if (err instanceof NotFoundError) return new HttpError(404, "CID_NOT_FOUND", `storage holds no object ${cid}`);
  if (err instanceof IntegrityError) {
    // Corrupt or tampered storage is an operator's emergency, not a client error: log it all.
    console.error(`[medvault service] integrity failure reading ${cid}:`, err);
    // The node returned bytes other than the CID names: never serve them.
    return new HttpError(
      502,
      "STORAGE_INTEGRITY",
      `storage returned bytes that do not match ${cid}; they were not served`,
    );
  }
  if (err instanceof BadCidError) return new HttpError(400, "BAD_CID", err.message);
  throw err;
}

function chainHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  return new HttpError(
    503,
    "CHAIN_UNAVAILABLE",
    `could not read the MedVault contract: ${(err as Error).message.split("\n")[0]}`,
    {},
    {
      "retry-after": "5",
    },
  );
}

/**
 * Runs one step of a handler against the chain or storage and answers its failure as the
 * HttpError `toHttp` maps it to: the one place records.ts turns such errors into HTTP.
 */
async function orHttpError<T>(step: () => T | Promise<T>, toHttp: (err: unknown) => HttpError): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw toHttp(err);
  }
}

/** Maps a storage failure about `cid` to HTTP (`storageHttpError` bound to the CID). */
const fromStorage = (cid: string) => (err: unknown) => storageHttpError(err, cid);

export function uploadHandler(ctx: ServiceContext) {
  return (req: Request) =>
    handle(async () => {
      if (req.method !== "POST") return methodNotAllowed(["POST"]);
      assertSameOrigin(req, ctx.config.siweOrigin);
      const session = requireSession(ctx, req);
      if (mediaType(req) !== "application/octet-stream") {
        throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "upload the envelope as application/octet-stream");
      }
      // Before a byte of the body is read: an unregistered account costs the server nothing.
      const role = await orHttpError(() => uploaderRole(ctx.chain, session.address), chainHttpError);
      if (!role) {
        throw new HttpError(
          403,
          "NOT_REGISTERED",
          `${session.address} is not registered with MedVault; register first (as a patient, or be verified as a clinician) and then upload`,
        );
      }
      const bytes = await readBodyLimited(req, ctx.config.maxUploadBytes);
      const kind = classifyEnvelope(bytes);
      if (!kind.ok) throw new HttpError(400, "NOT_AN_ENVELOPE", `the body is not a MedVault envelope: ${kind.reason}`);
      // A v1 record names no patient, so the service could never tell whose it is (the
      // CID-aliasing attack): only v2 records, which name their patient, are stored.
      if (kind.kind === "record" && (kind.version !== 2 || !kind.patient)) {
        throw new HttpError(
          400,
          "ENVELOPE_VERSION_REFUSED",
          `record envelopes must be version 2 (naming their patient); this one is version ${kind.version}`,
        );
      }
      const owner = kind.patient!;
      // A key share is the patient's to publish (its digest goes into their grant), or a
      // registrar's when it re-wraps a patient's emergency kit for a clinician under
      // break-glass access; nobody else has a reason to store one in the patient's name.
      if (kind.kind === "keyshare" && !isAddressEqual(kind.patient, session.address) && role !== "registrar") {
        const registrar = await orHttpError(() => ctx.chain.hasRole(REGISTRAR_ROLE, session.address), chainHttpError);
        if (!registrar) {
          throw new HttpError(
            403,
            "KEY_SHARE_NOT_YOURS",
            `this key share is ${kind.patient}'s; only that patient or a registrar uploads it`,
          );
        }
      }

      const expected = await computeCid(bytes);
      await orHttpError(
        () => ctx.uploads.assertQuota(session.address, bytes.length, expected.toString()),
        chainHttpError,
      );
      const cid = await orHttpError(async () => (await ctx.store()).put(bytes), fromStorage("(upload)"));
      const { digest, dagPb } = cidToDigest(cid);
      await ctx.uploads.record({
        cid: cid.toString(),
        digest,
        kind: kind.kind,
        uploader: session.address,
        patient: owner,
        size: bytes.length,
        time: Date.now(),
      });
      // Logged only once the bytes are stored: a failed upload leaves no trace to explain.
      await ctx.accessLog.append({
        action: "upload",
        outcome: "stored",
        status: 201,
        actor: session.address,
        patient: kind.kind === "keyshare" ? kind.patient : null,
        recordId: null,
        cid: cid.toString(),
        reason: null,
        size: bytes.length,
      });
      return json(201, { cid: cid.toString(), size: bytes.length, digest, dagPb, kind: kind.kind });
    });
}

type ReadLog = Omit<AccessLogInput, "outcome" | "status" | "reason" | "action">;

/** Runs a read, and logs it as served or refused whatever happens. */
async function loggedRead(
  ctx: ServiceContext,
  action: AccessAction,
  log: ReadLog,
  run: (log: ReadLog) => Promise<Response>,
): Promise<Response> {
  let res: Response;
  try {
    res = await run(log);
  } catch (err) {
    const httpErr = err instanceof HttpError ? err : undefined;
    if (!httpErr) console.error("[medvault service] unexpected error on read", err);
    res = (
      httpErr ?? new HttpError(500, "INTERNAL", "the service failed unexpectedly; see the server log")
    ).toResponse();
  }
  const served = res.status === 200;
  let reason: string | null = null;
  if (!served) {
    try {
      reason = ((await res.clone().json()) as { error?: string }).error ?? null;
    } catch {
      reason = null;
    }
  }
  try {
    await ctx.accessLog.append({ action, outcome: served ? "served" : "refused", status: res.status, reason, ...log });
  } catch (err) {
    // Every read must leave a line; when the log cannot take one, nothing is served.
    console.error("[medvault service] access log append failed", err);
    return new HttpError(
      503,
      "ACCESS_LOG_UNAVAILABLE",
      "the access log could not record this read, so it was not served",
    ).toResponse();
  }
  return res;
}

function sessionOrNull(ctx: ServiceContext, req: Request): { session?: Session; error?: HttpError } {
  try {
    return { session: requireSession(ctx, req) };
  } catch (err) {
    if (err instanceof HttpError) return { error: err };
    throw err;
  }
}

function parseRecordId(raw: string | null): number {
  if (raw === null)
    throw new HttpError(400, "BAD_RECORD_ID", "the record query parameter is required (the on-chain record id)");
  if (!/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > 0xffff_ffff) {
    throw new HttpError(
      400,
      "BAD_RECORD_ID",
      `record must be an integer from 1 to 4294967295, got "${raw.slice(0, 20)}"`,
    );
  }
  return Number(raw);
}

function parsePatient(raw: string | null): Address {
  if (raw === null) throw new HttpError(400, "BAD_PATIENT", "the patient query parameter is required (0x address)");
  if (!isAddress(raw, { strict: false }))
    throw new HttpError(400, "BAD_PATIENT", `patient is not an address: "${raw.slice(0, 60)}"`);
  return getAddress(raw);
}

function octetStream(bytes: Uint8Array, cid: string): Response {
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(bytes.length),
      // Access depends on on-chain consent that can end any block: no shared caches.
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
      "content-disposition": "attachment",
      etag: `"${cid}"`,
    },
  });
}

/** Asks the contract which rule refuses the read (its custom error name), for the 403 body. */
async function denialReason(
  ctx: ServiceContext,
  reader: Address,
  patient: Address,
  recordId: number,
): Promise<string | undefined> {
  try {
    await ctx.chain.checkRead(reader, patient, recordId);
    return undefined;
  } catch (err) {
    return ctx.chain.revertReason(err);
  }
}

/**
 * GET /api/records/{cid}?patient=0x…&record=N — the ciphertext of `patient`'s record N,
 * which must be anchored on-chain with this CID, for a reader the contract allows now.
 */
export function readRecordHandler(ctx: ServiceContext) {
  return (req: Request, cidParam: string) =>
    handle(async () => {
      if (req.method !== "GET") return methodNotAllowed(["GET"]);
      const url = new URL(req.url);
      const { session, error: sessionError } = sessionOrNull(ctx, req);
      // Only parsed values reach the log (canonical CID, checksummed address, integer), and
      // a request without a session is logged on no patient's log at all.
      const log: ReadLog = { actor: session?.address ?? null, patient: null, recordId: null, cid: null };
      return loggedRead(ctx, "read", log, async (log) => {
        const cid = await orHttpError(() => parseCid(cidParam), fromStorage("the path's CID"));
        const patient = parsePatient(url.searchParams.get("patient"));
        const recordId = parseRecordId(url.searchParams.get("record"));
        if (!session) throw sessionError!;
        log.cid = cid.toString();
        log.patient = patient;
        log.recordId = recordId;

        const { anchor, allowed } = await orHttpError(async () => {
          const anchor = await ctx.chain.getRecord(patient, recordId);
          if (!anchor)
            throw new HttpError(404, "RECORD_NOT_FOUND", `patient ${patient} has no record ${recordId} on-chain`);
          return { anchor, allowed: await ctx.chain.canRead(session.address, patient, recordId) };
        }, chainHttpError);
        if (!allowed) {
          if (anchor.flags & FLAG_ERASED) {
            throw new HttpError(
              403,
              "RECORD_ERASED",
              `record ${recordId} was erased by the patient; it authorises no reads`,
            );
          }
          const reason = await denialReason(ctx, session.address, patient, recordId);
          throw new HttpError(
            403,
            "ACCESS_DENIED",
            `${session.address} has no live consent to read record ${recordId} of ${patient}${reason ? ` (${reason})` : ""}`,
            reason ? { contractError: reason } : {},
          );
        }
        assertAnchoredCid(cid, anchor, patient, recordId);
        // Anyone but the patient reads only inside a viewing session they opened on-chain,
        // so every served read of someone else's record is in the contract's log too.
        if (!isAddressEqual(session.address, patient)) {
          const viewing = {
            session: url.searchParams.get("session"),
            reader: session.address,
            patient,
            recordId,
            windowSeconds: ctx.config.viewingSessionSeconds,
          };
          await orHttpError(() => requireViewingSession(ctx.chain, viewing), chainHttpError);
        }
        const bytes = await orHttpError(async () => (await ctx.store()).get(cid), fromStorage(cid.toString()));
        assertPatientsObject(bytes, cid, patient, log);
        log.size = bytes.length;
        return octetStream(bytes, cid.toString());
      });
    });
}

/**
 * Refuses an object whose envelope does not name `patient`: someone anchored another
 * patient's CID as their own record. The refusal goes on the log of the patient the
 * header names (the victim), so they see the attempt.
 */
function assertPatientsObject(bytes: Uint8Array, cid: CID, patient: Address, log?: ReadLog): void {
  const kind = classifyEnvelope(bytes.subarray(0, ENVELOPE_PREFIX_BYTES), bytes.length);
  if (kind.ok && kind.kind === "record" && kind.version === 2 && kind.patient && isAddressEqual(kind.patient, patient))
    return;
  const owner = kind.ok && kind.patient ? kind.patient : undefined;
  if (log && owner) {
    log.patient = owner;
    log.claimedPatient = patient;
  }
  const what = !kind.ok
    ? "not a record envelope"
    : kind.kind !== "record"
      ? "a key share, not a record"
      : !kind.patient
        ? "a version 1 record, which names no patient and cannot be attributed"
        : `a record of another patient`;
  throw new HttpError(
    403,
    "NOT_THIS_PATIENTS_RECORD",
    `${cid} is ${what}; it is not served or released for ${patient}`,
  );
}

/**
 * DELETE /api/records/{cid}?patient=0x…&record=N — the storage half of erasure. Once the
 * patient has marked the record erased on-chain (`markErased`), they ask the service to
 * unpin its ciphertext, so the node drops the blocks at its next garbage collection and
 * no copy is kept on the patient's behalf. Only the patient, only for an erased record,
 * only for the CID anchored for it; repeating it is harmless.
 */
export function releaseErasedHandler(ctx: ServiceContext) {
  return (req: Request, cidParam: string) =>
    handle(async () => {
      if (req.method !== "DELETE") return methodNotAllowed(["DELETE"]);
      assertSameOrigin(req, ctx.config.siweOrigin);
      const url = new URL(req.url);
      const cid = await orHttpError(() => parseCid(cidParam), fromStorage(cidParam));
      const patient = parsePatient(url.searchParams.get("patient"));
      const recordId = parseRecordId(url.searchParams.get("record"));
      const { session, error } = sessionOrNull(ctx, req);
      if (!session) throw error!;
      if (session.address.toLowerCase() !== patient.toLowerCase())
        throw new HttpError(403, "NOT_YOUR_RECORD", `only patient ${patient} may release the storage of their records`);
      const anchor = await orHttpError(() => ctx.chain.getRecord(patient, recordId), chainHttpError);
      if (!anchor)
        throw new HttpError(404, "RECORD_NOT_FOUND", `patient ${patient} has no record ${recordId} on-chain`);
      if (!(anchor.flags & FLAG_ERASED))
        throw new HttpError(
          409,
          "RECORD_NOT_ERASED",
          `record ${recordId} is not erased on-chain; erase it with markErased first`,
        );
      assertAnchoredCid(cid, anchor, patient, recordId);
      // The header says whose the object is; an object no longer stored has nothing to release.
      let bytes: Uint8Array;
      try {
        bytes = await (await ctx.store()).get(cid);
      } catch (err) {
        if (err instanceof NotFoundError)
          return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
        throw storageHttpError(err, cid.toString());
      }
      try {
        assertPatientsObject(bytes, cid, patient);
      } catch (err) {
        const kind = classifyEnvelope(bytes.subarray(0, ENVELOPE_PREFIX_BYTES), bytes.length);
        if (kind.ok && kind.patient) {
          await ctx.accessLog.append({
            action: "release",
            outcome: "refused",
            status: 403,
            actor: session.address,
            patient: kind.patient,
            claimedPatient: patient,
            recordId,
            cid: cid.toString(),
            reason: "NOT_THIS_PATIENTS_RECORD",
          });
        }
        throw err;
      }
      await orHttpError(async () => (await ctx.store()).unpin(cid), fromStorage(cid.toString()));
      return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
    });
}

/**
 * GET /api/keyshares/{cid} — a key-share object for any signed-in account. A key share
 * holds category keys wrapped to one grantee's X25519 key: to anyone else it is opaque
 * bytes, so serving it leaks only its size. Record envelopes are refused here, so this
 * route is never a way around the on-chain check of /api/records.
 */
export function readKeyShareHandler(ctx: ServiceContext) {
  return (req: Request, cidParam: string) =>
    handle(async () => {
      if (req.method !== "GET") return methodNotAllowed(["GET"]);
      const { session, error: sessionError } = sessionOrNull(ctx, req);
      const log: ReadLog = { actor: session?.address ?? null, patient: null, recordId: null, cid: null };
      return loggedRead(ctx, "keyshare", log, async (log) => {
        const cid = await orHttpError(() => parseCid(cidParam), fromStorage("the path's CID"));
        if (!session) throw sessionError!;
        log.cid = cid.toString();
        const bytes = await orHttpError(async () => (await ctx.store()).get(cid), fromStorage(cid.toString()));
        const kind = classifyEnvelope(bytes);
        if (!kind.ok || kind.kind !== "keyshare") {
          throw new HttpError(
            403,
            "NOT_A_KEY_SHARE",
            `${cid} is not a key share; records are read through /api/records with their on-chain id`,
          );
        }
        const owner = kind.patient;
        if (owner) log.patient = owner;
        log.size = bytes.length;
        return octetStream(bytes, cid.toString());
      });
    });
}
