package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.Locale;
import java.util.Set;

/**
 * The OpenAPI document as a judge of real answers: the JSON schema it gives for an operation's
 * answer of some status (JSON Schema 2020-12, as OpenAPI 3.1 says), and whether a body fits it.
 */
final class OpenApiContract {
  /** JSON Schema 2020-12, told that the components carried along are no keyword to check. */
  private static final JsonSchemaFactory SCHEMAS =
      JsonSchemaFactory.builder(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012))
          .metaSchema(
              JsonMetaSchema.builder(JsonMetaSchema.getV202012())
                  .keyword(new NonValidationKeyword("components"))
                  .build())
          .build();

  private final JsonNode document;

  OpenApiContract(JsonNode document) {
    this.document = document;
  }

  /** Fails unless the operation documents {@code status} and {@code body} fits its schema. */
  void assertAnswer(String template, String method, int status, JsonNode body) {
    JsonNode response =
        document.path("paths").path(template).path(method.toLowerCase(Locale.ROOT)).path("responses").path(Integer.toString(status));
    assertTrue(
        !response.isMissingNode(),
        () -> method + " " + template + " does not document the status " + status + " it answered");
    assertFits(resolve(response), body, method + " " + template + " " + status);
  }

  /** Fails unless {@code body} fits the schema of the shared response {@code name}. */
  void assertSharedAnswer(String name, JsonNode body) {
    assertFits(document.path("components").path("responses").path(name), body, "response " + name);
  }

  /** Fails unless {@code body} fits the component schema {@code name}. */
  void assertSchema(String name, JsonNode body) {
    assertFits(
        document.path("components").path("schemas").path(name),
        body,
        "schema " + name,
        true);
  }

  private void assertFits(JsonNode response, JsonNode body, String what) {
    JsonNode schema = response.path("content").path("application/json").path("schema");
    assertTrue(!schema.isMissingNode(), () -> what + " has no JSON schema");
    assertFits(schema, body, what, true);
  }

  private void assertFits(JsonNode schema, JsonNode body, String what, boolean isSchema) {
    // The schema's $refs point into the document's components: give it them at its root.
    ObjectNode root = schema.deepCopy();
    root.set("components", document.path("components"));
    JsonSchema validator = SCHEMAS.getSchema(root);
    Set<ValidationMessage> errors = validator.validate(body);
    assertTrue(errors.isEmpty(), () -> what + ": " + body + " does not fit: " + errors);
  }

  /** A response object, or the shared one its $ref names. */
  private JsonNode resolve(JsonNode response) {
    String ref = response.path("$ref").asText("");
    String prefix = "#/components/responses/";
    return ref.startsWith(prefix)
        ? document.path("components").path("responses").path(ref.substring(prefix.length()))
        : response;
  }
}
