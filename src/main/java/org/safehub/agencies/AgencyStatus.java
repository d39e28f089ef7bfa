package org.safehub.agencies;

/** Whether an agency may receive copies. A suspended agency receives nothing. */
public enum AgencyStatus {
  ACTIVE,
  SUSPENDED
}
