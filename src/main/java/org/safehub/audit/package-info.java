/**
 * The tamper-evident audit log: content-free events in an RFC 9162 Merkle tree with signed
 * checkpoints, stored in PostgreSQL, queried by auditors and checked by an offline verifier. Never
 * holds message content.
 */
package org.safehub.audit;
