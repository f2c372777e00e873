import { expect } from "chai";
import { accessesPerDay, orderTimeline, type TimelineEntry } from "../../../lib/vault/timeline.ts";

const A = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const B = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const day = 86_400;
const NOW = Date.UTC(2026, 5, 10, 12) / 1000;

const entry = (
  id: string,
  kind: TimelineEntry["kind"],
  time: number,
  actor: `0x${string}` | null = A,
): TimelineEntry => ({
  id,
  kind,
  time,
  actor,
  recordIds: [],
  source: "chain",
});

describe("lib/vault timeline", () => {
  it("puts emergency accesses first, then everything newest first", () => {
    const ordered = orderTimeline([
      entry("old-session", "session", NOW - 3 * day),
      entry("old-emergency", "emergency", NOW - 5 * day),
      entry("refusal", "refused", NOW - 60),
      entry("new-emergency", "emergency", NOW - day),
      entry("grant", "granted", NOW - 2 * day),
    ]);
    expect(ordered.map((e) => e.id)).to.deep.equal([
      "new-emergency",
      "old-emergency",
      "refusal",
      "grant",
      "old-session",
    ]);
  });

  it("lists each release of the emergency kit right after the emergency it served", () => {
    const R = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    const release = (id: string, time: number, clinician: `0x${string}`) => ({
      ...entry(id, "emergency-keys", time, R),
      clinician,
    });
    const ordered = orderTimeline([
      entry("session", "session", NOW - 60),
      release("release-a-old", NOW - 5 * day + 60, A),
      entry("emergency-a-old", "emergency", NOW - 5 * day),
      entry("emergency-b", "emergency", NOW - 2 * day, B),
      release("release-b", NOW - 2 * day + 30, B),
      entry("emergency-a", "emergency", NOW - day),
      release("release-a", NOW - day + 60, A),
    ]);
    expect(ordered.map((e) => e.id)).to.deep.equal([
      "emergency-a",
      "release-a",
      "emergency-b",
      "release-b",
      "emergency-a-old",
      "release-a-old",
      "session",
    ]);
    // A release whose emergency is not in the list still comes before the ordinary entries.
    expect(orderTimeline([entry("s", "session", NOW), release("orphan", NOW - day, A)]).map((e) => e.id)).to.deep.equal(
      ["orphan", "s"],
    );
  });

  it("counts accesses per day per clinician, ignoring consent changes and days outside the window", () => {
    const { days, series } = accessesPerDay(
      [
        entry("1", "session", NOW),
        entry("2", "session", NOW - 60),
        entry("3", "refused", NOW - day, B),
        entry("4", "granted", NOW),
        entry("5", "session", NOW - 30 * day),
        entry("6", "emergency", NOW - 2 * day),
      ],
      3,
      NOW,
    );
    expect(days).to.deep.equal(["2026-06-08", "2026-06-09", "2026-06-10"]);
    expect(series.get(A.toLowerCase())).to.deep.equal([1, 0, 2]);
    expect(series.get(B.toLowerCase())).to.deep.equal([0, 1, 0]);
  });
});
