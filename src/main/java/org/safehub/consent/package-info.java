/**
 * The consent registry (PostgreSQL) and the consent stage of the pipeline. Decides whether a copy
 * may go; never changes a copy's content, never routes.
 */
package org.safehub.consent;
