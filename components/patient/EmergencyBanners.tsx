"use client";

import { formatTime } from "@/lib/format.ts";
import {
  endEmergency,
  listOpenEmergencies,
  type AccountKeys,
  type TimelineEntry,
  type VaultContext,
} from "@/lib/vault/index.ts";
import { useAction, useLiveQuery } from "@/hooks/useMedVault.ts";
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
  // The chain says which accesses are still open (an ended one's event stays on the timeline,
  // but its `emergencyAccessUntil` is cleared); until it has answered, the timeline's unexpired
  // ones show, so an emergency is never hidden while loading.
  const open = useLiveQuery(["open-emergencies", keys.account], (c) => listOpenEmergencies(c, keys.account));
  const now = Math.floor(Date.now() / 1000);
  const until = open.data ? new Map(open.data.map((o) => [o.clinician.toLowerCase(), o.expiresAt])) : undefined;
  const shown = new Set<string>();
  const live = entries.flatMap((e) => {
    const who = e.actor?.toLowerCase() ?? "";
    // Emergencies come newest first: one banner per clinician, for their latest access.
    if (e.kind !== "emergency" || shown.has(who)) return [];
    const expiresAt = until ? until.get(who) : e.expiresAt;
    if (expiresAt === undefined || expiresAt <= now) return [];
    shown.add(who);
    return [{ ...e, expiresAt }];
  });
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
                  void endAction.run(
                    "Ending emergency access",
                    (onTx) => endEmergency(ctx, keys.account, actor, onTx),
                    "Emergency access ended",
                  )
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
