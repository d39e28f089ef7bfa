/**
 * The hub's keys and seals: CMS copies signed by the hub and enveloped for one agency alone, and
 * AES-GCM sealing of the hub's own records at rest. Never logs, prints or puts into an exception
 * message any key material, nor any content, sealed or opened.
 */
package org.safehub.crypto;
