/**
 * The directory of registered agencies and agency types, each agency's status (operators'
 * suspensions, in PostgreSQL) and the stage that withholds every copy for a suspended agency. Floor
 * 4: depends only on config, envelope and the stage vocabulary (copy).
 */
package org.safehub.agencies;
