/**
 * The stage vocabulary: one recipient's copy of a message, the contract of a pipeline stage, why a
 * copy is withheld ({@link org.safehub.copy.WithholdReason}) and the notices the hub sends. Ground
 * floor: depends only on envelope.
 */
package org.safehub.copy;
