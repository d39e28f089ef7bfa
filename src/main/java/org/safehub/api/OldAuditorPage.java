package org.safehub.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** The old token-pasting page is gone: its address leads to the auditor console. */
@Path("/auditor.html")
public class OldAuditorPage {

  @GET
  public Response moved() {
    return Response.status(Response.Status.MOVED_PERMANENTLY)
        .location(URI.create("/auditor/"))
        .build();
  }
}
