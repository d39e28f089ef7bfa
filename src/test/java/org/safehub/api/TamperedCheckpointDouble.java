package org.safehub.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;
import org.safehub.api.Responses.CheckpointView;

/**
 * A test double of the console's checkpoint endpoint: while the system property {@value #FLAG} is
 * {@code true}, {@code GET /auditor/api/checkpoint} answers the real checkpoint with one hex digit
 * of its root hash changed (a forged checkpoint under a genuine signature). Off, it changes
 * nothing.
 */
@Provider
public class TamperedCheckpointDouble implements ContainerResponseFilter {

  static final String FLAG = "safehub.test.tamper-checkpoint";

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (Boolean.getBoolean(FLAG)
        && request.getUriInfo().getPath().endsWith("/auditor/api/checkpoint")
        && response.getEntity() instanceof CheckpointView c) {
      char first = c.rootHash().charAt(0);
      String root = (first == '0' ? '1' : '0') + c.rootHash().substring(1);
      response.setEntity(
          new CheckpointView(c.treeSize(), root, c.time(), c.signature(), c.keyId()));
    }
  }
}
