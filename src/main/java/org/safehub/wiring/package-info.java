/** CDI wiring: builds every component from configuration and starts the pipeline. The only package that knows all the others. */
package org.safehub.wiring;
