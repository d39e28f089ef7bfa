/** Configuration of the hub itself (ports, limits, topic names); no business rules live here. */
package org.safehub.config;
