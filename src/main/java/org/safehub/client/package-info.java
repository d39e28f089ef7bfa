/**
 * The agency-side client tool: fetch the inbox, open and verify sealed copies. Uses the crypto
 * package only; runs without the hub's code paths.
 */
package org.safehub.client;
