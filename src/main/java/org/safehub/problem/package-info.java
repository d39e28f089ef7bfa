/**
 * The one exception type that carries a refusal (status, problem type, violations) up to the HTTP
 * mapper. Ground floor.
 */
package org.safehub.problem;
