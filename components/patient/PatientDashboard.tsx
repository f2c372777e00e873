"use client";

import { useMemo, useState } from "react";
import {
  listClinicians,
  listGrants,
  listRecords,
  ownKeyResolver,
  timelinePage,
  type AccountKeys,
  type VaultContext,
} from "@/lib/vault/index.ts";
import { useLiveQuery } from "@/hooks/useMedVault.ts";
import { AddRecordForm } from "../records/AddRecordForm.tsx";
import { AccessChart } from "../timeline/AccessChart.tsx";
import { AccessTimelineCard } from "./AccessTimelineCard.tsx";
import { EmergencyBanners } from "./EmergencyBanners.tsx";
import { EmergencyKitCard } from "./EmergencyKitCard.tsx";
import { GrantForm } from "./GrantForm.tsx";
import { GrantsList } from "./GrantsList.tsx";
import { MyRecordsCard } from "./MyRecordsCard.tsx";
import { ProfileCard } from "./ProfileCard.tsx";
import { ReencryptCard } from "./ReencryptCard.tsx";

const TABS = [
  { tab: "records", label: "Records" },
  { tab: "profile", label: "Profile" },
  { tab: "sharing", label: "Sharing" },
  { tab: "timeline", label: "Access timeline" },
] as const;
type Tab = (typeof TABS)[number]["tab"];

/** Viewing sessions per timeline page. */
const TIMELINE_PAGE = 100;

/** The patient's dashboard: emergency alerts above four tabs of cards. */
export function PatientDashboard({ ctx, keys }: { ctx: VaultContext; keys: AccountKeys }) {
  const [tab, setTab] = useState<Tab>("records");
  const records = useLiveQuery(["records", keys.account], (c) => listRecords(c, keys.account));
  const grants = useLiveQuery(["grants", keys.account], (c) => listGrants(c, keys.account));
  const clinicians = useLiveQuery(["clinicians"], listClinicians);
  // The timeline loads its newest page only (work bounded by what is shown, not by the
  // patient's whole history); "Show older" widens the page.
  const [timelineLimit, setTimelineLimit] = useState(TIMELINE_PAGE);
  const page = useLiveQuery(["timeline", keys.account, timelineLimit], (c) =>
    timelinePage(c, keys.account, { limit: timelineLimit }),
  );
  const entries = page.data?.entries ?? [];
  const names = useMemo(
    () => new Map((clinicians.data ?? []).map((c) => [c.address.toLowerCase(), c.name])),
    [clinicians.data],
  );
  const resolver = useMemo(() => async () => ownKeyResolver(ctx, keys), [ctx, keys]);
  const list = records.data ?? [];

  return (
    <div className="stack" data-testid="patient-dashboard">
      <EmergencyBanners ctx={ctx} keys={keys} entries={entries} names={names} />
      <div className="tabs" role="tablist" aria-label="Patient dashboard">
        {TABS.map((t) => (
          <button
            key={t.tab}
            type="button"
            role="tab"
            aria-selected={tab === t.tab}
            data-testid={`tab-${t.tab}`}
            onClick={() => setTab(t.tab)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {tab === "profile" ? <ProfileCard ctx={ctx} keys={keys} records={list} /> : null}
      {tab === "records" ? (
        <div className="grid-2">
          <MyRecordsCard
            ctx={ctx}
            records={list}
            loading={records.isLoading}
            error={records.error}
            resolver={resolver}
            names={names}
          />
          <AddRecordForm ctx={ctx} patient={keys.account} resolver={resolver} />
        </div>
      ) : null}
      {tab === "sharing" ? (
        <div className="stack">
          <GrantForm ctx={ctx} keys={keys} records={list} />
          <GrantsList ctx={ctx} keys={keys} grants={grants.data ?? []} names={names} />
          <EmergencyKitCard ctx={ctx} keys={keys} />
          <ReencryptCard ctx={ctx} keys={keys} />
        </div>
      ) : null}
      {tab === "timeline" ? (
        <div className="stack">
          <AccessChart entries={entries} names={names} />
          <AccessTimelineCard
            entries={entries}
            error={page.error}
            names={names}
            onShowOlder={
              page.data?.olderBefore !== undefined ? () => setTimelineLimit((l) => l + TIMELINE_PAGE) : undefined
            }
          />
        </div>
      ) : null}
    </div>
  );
}
