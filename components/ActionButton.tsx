"use client";

import type { ReactNode } from "react";
import type { ActionState } from "@/hooks/useMedVault.ts";
import { ActionStatus } from "./ActionStatus.tsx";

const VARIANTS = {
  primary: "btn btn-primary",
  secondary: "btn btn-secondary",
  danger: "btn btn-danger",
  ghost: "btn btn-ghost",
} as const;

/**
 * A button that starts one useAction() action: disabled while it runs, and — when
 * `statusTestId` is given — followed by its pending / confirmed / failed line. Without
 * `onClick` it submits its form.
 */
export function ActionButton({
  action,
  testId,
  statusTestId,
  variant = "primary",
  disabled = false,
  onClick,
  children,
}: {
  action: { state: ActionState };
  testId: string;
  /** Where the status line shows; omit it to place `<ActionStatus>` elsewhere. */
  statusTestId?: string;
  variant?: keyof typeof VARIANTS;
  disabled?: boolean;
  onClick?: () => void;
  children: ReactNode;
}) {
  const button = (
    <button
      type={onClick ? "button" : "submit"}
      className={VARIANTS[variant]}
      data-testid={testId}
      disabled={disabled || action.state.phase === "working"}
      onClick={onClick}
    >
      {children}
    </button>
  );
  if (statusTestId === undefined) return button;
  return (
    <>
      {button}
      <ActionStatus state={action.state} testId={statusTestId} />
    </>
  );
}
