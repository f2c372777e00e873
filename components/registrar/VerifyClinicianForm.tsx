"use client";

import { useState } from "react";
import { getAddress, isAddress } from "viem";
import { licenceFits, MAX_LICENCE_BYTES, verifyClinician, type VaultContext } from "@/lib/vault/index.ts";
import { useAction } from "@/hooks/useMedVault.ts";
import { ActionButton } from "../ActionButton.tsx";
import { addressProblem } from "@/lib/format.ts";

/** The registrar verifies a clinician: wallet address, full name and licence id. */
export function VerifyClinicianForm({ ctx }: { ctx: VaultContext }) {
  const [address, setAddress] = useState("");
  const [name, setName] = useState("");
  const [licence, setLicence] = useState("");
  const verify = useAction();
  const licenceOk = licenceFits(licence);
  const addressWrong = addressProblem(address);
  return (
    <form
      className="card form"
      data-testid="verify-form"
      onSubmit={(e) => {
        e.preventDefault();
        void verify.run(
          "Verifying clinician",
          (onTx) => verifyClinician(ctx, getAddress(address), { name, licence }, onTx),
          `${name.trim()} verified`,
        );
      }}
    >
      <h2>Verify a clinician</h2>
      <label>
        Wallet address
        <input
          value={address}
          onChange={(e) => setAddress(e.target.value.trim())}
          required
          placeholder="0x…"
          data-testid="verify-address"
          aria-invalid={addressWrong ? true : undefined}
          aria-describedby={addressWrong ? "verify-address-why" : undefined}
        />
      </label>
      {addressWrong ? (
        <p className="status status-warn" id="verify-address-why" data-testid="verify-address-why" role="status">
          {addressWrong}
        </p>
      ) : null}
      <div className="row">
        <label>
          Full name
          <input value={name} onChange={(e) => setName(e.target.value)} required data-testid="verify-name" />
        </label>
        <label>
          Licence id
          <input
            value={licence}
            onChange={(e) => setLicence(e.target.value)}
            required
            data-testid="verify-licence"
            placeholder="e.g. GMC-7041123"
          />
        </label>
      </div>
      {!licenceOk ? <p className="status status-warn">A licence id is at most {MAX_LICENCE_BYTES} bytes.</p> : null}
      <ActionButton
        action={verify}
        testId="verify-submit"
        statusTestId="verify-status"
        disabled={!isAddress(address) || !name.trim() || !licence.trim() || !licenceOk}
      >
        Verify
      </ActionButton>
    </form>
  );
}
