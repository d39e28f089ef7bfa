/**
 * The agency key directory, agency suspension, and the writer that seals each copy for its recipient.
 * Never logs key material; never lets a copy out unsealed.
 */
package org.safehub.keys;
