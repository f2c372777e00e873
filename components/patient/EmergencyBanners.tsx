"use client";

import { formatTime } from "@/lib/format.ts";
import { endEmergency, type AccountKeys, type TimelineEntry, type VaultContext } from "@/lib/vault/index.ts";
import { useAction } from "@/hooks/useMedVault.ts";
import { ActionButton } from "../ActionButton.tsx";
import { ActionStatus } from "../ActionStatus.tsx";

/** One alert per emergency access still open on the patient, each with the way to end it. */
export function EmergencyBanners({
  ctx,
  keys,
  entries,
  names,
}: {
  ctx: VaultContext;
  keys: AccountKeys;
  entries: readonly TimelineEntry[];
  names: Map<string, string>;
}) {
  const endAction = useAction();
  const now = Math.floor(Date.now() / 1000);
  const live = entries.filter((e) => e.kind === "emergency" && (e.expiresAt ?? 0) > now);
  return (
    <>
      {live.map((e) => {
        const actor = e.actor;
        return (
          <div key={e.id} className="banner-emergency" role="alert" data-testid="emergency-banner">
            Emergency access by {actor ? (names.get(actor.toLowerCase()) ?? actor) : "someone"} until{" "}
            {formatTime(e.expiresAt ?? 0)} — reason: “{e.reason}”.{" "}
            {actor ? (
              <ActionButton
                action={endAction}
                variant="secondary"
                testId="emergency-end"
                onClick={() =>
                  void endAction.run("Ending emergency access", (onTx) => endEmergency(ctx, keys.account, actor, onTx))
                }
              >
                End it now
              </ActionButton>
            ) : null}
          </div>
        );
      })}
      <ActionStatus state={endAction.state} testId="emergency-end-status" />
    </>
  );
}
