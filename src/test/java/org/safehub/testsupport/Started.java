package org.safehub.testsupport;

import org.safehub.devstack.DevStack;

/** Running test components: where they listen, and how to stop them. */
record Started(DevStack.Endpoints endpoints, AutoCloseable stopper) {}
