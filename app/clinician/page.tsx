"use client";

import { ClinicianDashboard } from "@/components/clinician/ClinicianDashboard.tsx";
import { Gate } from "@/components/Gate.tsx";

export default function ClinicianPage() {
  return (
    <div className="stack">
      <h1>Clinician</h1>
      <Gate role="clinician">{({ ctx, keys }) => <ClinicianDashboard ctx={ctx} keys={keys} />}</Gate>
    </div>
  );
}
