/** Who is calling: the agency and roles from the Keycloak token. Ground floor. */
package org.safehub.identity;
