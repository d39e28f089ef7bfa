/**
 * Sealing: the copy writer that signs and envelopes each copy (and each hub notice) for its
 * recipient alone. Never lets a copy out unsealed. Floor 3: depends on keys, crypto and the stage
 * vocabulary.
 */
package org.safehub.sealing;
