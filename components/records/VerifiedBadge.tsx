"use client";

import { useQuery } from "@tanstack/react-query";
import { explainError, verifyRecord, type RecordInfo, type VaultContext } from "@/lib/vault/index.ts";

/**
 * The list's verification badge: the ciphertext is fetched and its CID recomputed here, once
 * per record (bytes under a CID never change), and compared with the chain's.
 */
export function VerifiedBadge({ ctx, record }: { ctx: VaultContext; record: RecordInfo }) {
  const check = useQuery({
    queryKey: ["verify", ctx.chainId, ctx.contract, record.patient, record.recordId, record.cid],
    queryFn: () => verifyRecord(ctx, record),
    enabled: !record.erased,
    staleTime: Infinity,
    retry: false,
  });
  const id = record.recordId;
  if (record.erased)
    return (
      <span className="pill pill-warn" data-testid={`record-verified-${id}`} data-verified="erased">
        Erased
      </span>
    );
  if (check.isLoading)
    return (
      <span className="pill" data-testid={`record-verified-${id}`} data-verified="checking">
        Checking…
      </span>
    );
  if (check.data?.ok)
    return (
      <span
        className="pill pill-ok"
        data-testid={`record-verified-${id}`}
        data-verified="true"
        title="The stored bytes hash to the CID anchored on-chain"
      >
        ✓ Verified
      </span>
    );
  if (check.data)
    return (
      <span className="pill pill-err" data-testid={`record-verified-${id}`} data-verified="false">
        ✗ Tampered
      </span>
    );
  return (
    <span
      className="pill pill-warn"
      data-testid={`record-verified-${id}`}
      data-verified="unknown"
      title={check.error ? explainError(check.error).message : undefined}
    >
      Not checked
    </span>
  );
}
