package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.get;
import static akka.http.javadsl.server.Directives.path;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /v1/openapi.json} (within {@code /v1}, as {@link HttpApi} composes it): the OpenAPI 3.1 document of the v1 contract, a resource of the
 * jar ({@value #RESOURCE}) served as it is.
 */
public final class OpenApiRoutes {
  static final String RESOURCE = "/org/taskgrid/gateway/http/openapi.json";

  private final byte[] document;

  private OpenApiRoutes(byte[] document) {
    this.document = document;
  }

  /** Reads the document from the jar; a jar without it is broken, so this fails loudly. */
  public static OpenApiRoutes fromJar() {
    try (InputStream in = OpenApiRoutes.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the jar has no " + RESOURCE);
      }
      return new OpenApiRoutes(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /** The document as JSON, e.g. for {@link RouteTemplates#of}. */
  public JsonNode json() {
    try {
      return new ObjectMapper().readTree(document);
    } catch (IOException e) {
      throw new IllegalStateException(RESOURCE + " is not JSON", e);
    }
  }

  public Route route() {
    return path(
        "openapi.json",
        () ->
            get(
                () ->
                    complete(
                        HttpResponse.create()
                            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, document)))));
  }
}
