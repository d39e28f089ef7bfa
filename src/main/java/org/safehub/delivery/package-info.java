/** Delivery state and the HTTPS side of delivery: inbox pages, acknowledgements and the live stream. Never routes or validates. */
package org.safehub.delivery;
