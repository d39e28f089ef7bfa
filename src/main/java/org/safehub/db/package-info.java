/**
 * Small JDBC helpers shared by the stores (one database transaction around a piece of work; several
 * stores' reads in one round trip). Ground floor: depends on nothing else in Safehub.
 */
package org.safehub.db;
