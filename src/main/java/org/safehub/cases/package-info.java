/**
 * Cases: hub state keyed by the pseudonymous {@code caseRef} (area, open or closed, member agencies
 * with their role), every change audited in the transaction that makes it; who may change a case;
 * the referral that opens one; the partner's-worker-first rules and the attendance-concern notice.
 * Holds no personal data and knows nothing of routing, consent, redaction or Kafka.
 */
package org.safehub.cases;
