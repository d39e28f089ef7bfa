/**
 * Abuse limits: token buckets per agency and per source address, and the thinning of refusal audit
 * events under a flood. Ground floor: depends only on the audit vocabulary and on no HTTP or CDI
 * type.
 */
package org.safehub.limits;
