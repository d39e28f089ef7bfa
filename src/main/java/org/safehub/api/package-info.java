/**
 * HTTP resources and the one problem-document mapper. Top floor: calls services, holds no rules.
 */
package org.safehub.api;
