/**
 * How the app writes times, addresses and grant terms for people: one place, so every card
 * shows them alike.
 */
import { isAddress } from "viem";
import { PERMISSION_LABELS, Permission } from "./chain/vocabulary.ts";

/** Unix seconds as a local date and time, e.g. "3 Nov 2026, 14:05". */
export function formatTime(t: number): string {
  return new Date(t * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** `0x1234…abcd`: the first 4 and last 4 hex digits. */
export function shortAddress(a: string): string {
  return `${a.slice(0, 6)}…${a.slice(-4)}`;
}

function isPermission(p: number): p is Permission {
  return p === Permission.Read || p === Permission.ReadWrite || p === Permission.Escrow;
}

/** A grant's permission in words ("read", "read + add", the emergency kit); the raw code when unknown. */
export function permissionLabel(permission: number): string {
  return isPermission(permission) ? PERMISSION_LABELS[permission] : `permission ${permission}`;
}

/** What is wrong with a typed wallet address, or null when it is one (or nothing was typed). */
export function addressProblem(text: string): string | null {
  const t = text.trim();
  if (!t) return null;
  if (!/^0x/.test(t)) return `${t} is not an address: an address starts with 0x followed by 40 hex digits.`;
  if (!/^0x[0-9a-fA-F]*$/.test(t))
    return `${t} is not an address: after 0x it may contain only the digits 0-9 and a-f.`;
  if (t.length !== 42) return `${t} is not an address: it has ${t.length - 2} characters after 0x, an address has 40.`;
  if (!isAddress(t))
    return `${t} is not an address: its mixed upper and lower case fails the checksum (check for a typo).`;
  return null;
}
