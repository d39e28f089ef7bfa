/**
 * Accepting a message: validate, authorise the sender, claim the id, store durably on the inbound
 * topic. Never routes or delivers.
 */
package org.safehub.ingress;
