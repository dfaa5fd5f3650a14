/** The one registry of CDS services: discovery and routing both derive from it. Adding a service is one line. */
import type { CdsService } from './cds-service.types.ts';
import { orderSelectService } from './order-select/order-select.service.ts';
import { orderSignService } from './order-sign/order-sign.service.ts';
import { patientViewService } from './patient-view/patient-view.service.ts';

export const CDS_SERVICES: readonly CdsService[] = [patientViewService, orderSelectService, orderSignService];

export function findService(id: string): CdsService | undefined {
  return CDS_SERVICES.find((s) => s.definition.id === id);
}
