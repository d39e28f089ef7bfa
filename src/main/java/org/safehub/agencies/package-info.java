/** The directory of registered agencies and agency types. Ground floor: depends only on config. */
package org.safehub.agencies;
