package org.taskgrid.cli;

import java.net.URI;
import java.net.URISyntaxException;
import picocli.CommandLine.Option;

/** Where the gateway is and how to authenticate: the options every command shares. */
final class GatewayOptions {
  @Option(
      names = "--url",
      paramLabel = "URL",
      defaultValue = "${env:TASKGRID_URL:-http://127.0.0.1:8080}",
      description = "The gateway's base URL (env TASKGRID_URL; default: ${DEFAULT-VALUE}).")
  String url;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:TASKGRID_TOKEN}",
      description = "An API token, sent as 'Authorization: Bearer TOKEN' (env TASKGRID_TOKEN).")
  String token;

  /** The base URL without a trailing slash (paths are appended); not http(s)://host... is a usage problem. */
  URI baseUri() {
    String trimmed = url.strip().replaceAll("/+$", "");
    try {
      URI uri = new URI(trimmed);
      if (uri.getScheme() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
          || uri.getHost() == null) {
        throw new UsageProblem("--url must look like http://host:port, not '" + url + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new UsageProblem("--url must look like http://host:port, not '" + url + "': " + e.getReason());
    }
  }

  Gateway connect() {
    return new Gateway(baseUri(), token == null || token.isBlank() ? null : token.strip());
  }
}
