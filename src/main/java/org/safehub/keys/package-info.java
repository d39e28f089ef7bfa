/**
 * The agency key directory: each agency's encryption certificates, their rotation and revocation.
 * Floor 4: depends only on crypto. Never logs key material.
 */
package org.safehub.keys;
