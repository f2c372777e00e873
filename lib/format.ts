/**
 * How the app writes times, addresses and grant terms for people: one place, so every card
 * shows them alike.
 */
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
