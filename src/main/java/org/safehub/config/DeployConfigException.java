package org.safehub.config;

/**
 * A configuration file under deploy/ is missing or wrong; start-up stops with the file and the
 * fault.
 */
public class DeployConfigException extends RuntimeException {
  public DeployConfigException(String file, String fault) {
    super(file + ": " + fault);
  }
}
