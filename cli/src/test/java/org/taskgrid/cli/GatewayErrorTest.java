package org.taskgrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class GatewayErrorTest {
  @Test
  void theContractsErrorSaysStatusCodeMessageAndField() {
    GatewayError error =
        GatewayError.of(
            400,
            "{\"error\":{\"code\":\"invalid_input\",\"message\":\"field 'to' must be >= 'from'\",\"field\":\"to\"}}",
            Optional.empty());
    assertEquals("invalid_input", error.code());
    assertEquals(
        "the gateway answered 400 invalid_input: field 'to' must be >= 'from' (field: to)", error.describe());
  }

  @Test
  void overloadedSaysWhenToRetryAndUnauthorizedHowToGiveAToken() {
    assertEquals(
        "the gateway answered 503 overloaded: busy (retry after 1 s)",
        GatewayError.of(503, "{\"error\":{\"code\":\"overloaded\",\"message\":\"busy\"}}", Optional.of("1")).describe());
    assertEquals(
        "the gateway answered 401 unauthorized: no token" + System.lineSeparator()
            + "  give a token with --token or TASKGRID_TOKEN",
        GatewayError.of(401, "{\"error\":{\"code\":\"unauthorized\",\"message\":\"no token\"}}", Optional.empty()).describe());
  }

  @Test
  void aBodyThatIsNotTheContractsIsShownAsItIs() {
    String hint = System.lineSeparator() + "  not a taskgrid error: is a gateway at --url (TASKGRID_URL)?";
    GatewayError error = GatewayError.of(502, "<html>\n  <h1>Bad Gateway</h1>\n</html>\n", Optional.empty());
    assertEquals(null, error.code());
    assertEquals("the gateway answered 502: <html> <h1>Bad Gateway</h1> </html>" + hint, error.describe());
    assertEquals("the gateway answered 500: (no body)" + hint, GatewayError.of(500, "", Optional.empty()).describe());
  }
}
