/**
 * Delivery state and the HTTPS side of delivery: inbox pages, acknowledgements, the live stream and
 * the recording of each fetch (with the owner's fetch notice). Never routes or validates.
 */
package org.safehub.delivery;
