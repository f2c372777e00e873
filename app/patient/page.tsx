"use client";

import { Gate } from "@/components/Gate.tsx";
import { PatientDashboard } from "@/components/patient/PatientDashboard.tsx";

export default function PatientPage() {
  return (
    <div className="stack">
      <h1>My records</h1>
      <Gate role="patient">{({ ctx, keys }) => <PatientDashboard ctx={ctx} keys={keys} />}</Gate>
    </div>
  );
}
