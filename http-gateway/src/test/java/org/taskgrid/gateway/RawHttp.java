package org.taskgrid.gateway;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests the JDK client refuses to send: broken request lines,
 * invalid header bytes, too many headers, oversized URIs. Writes the bytes as given and reads one
 * answer; every read is bounded by the timeout.
 */
public final class RawHttp {
  private static final int MAX_HEAD_BYTES = 64 * 1024;
  private static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

  private RawHttp() {}

  public static HttpResult exchange(int port, byte[] request, Duration timeout) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      List<String> head = readHead(in);
      if (head.isEmpty()) {
        throw new IOException("the server closed the connection without an answer");
      }
      String[] statusLine = head.get(0).split(" ", 3);
      if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP status line: " + head.get(0));
      }
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (String line : head.subList(1, head.size())) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
          throw new IOException("not a header line: " + line);
        }
        headers
            .computeIfAbsent(line.substring(0, colon).trim(), name -> new ArrayList<>())
            .add(line.substring(colon + 1).trim());
      }
      return new HttpResult(Integer.parseInt(statusLine[1]), headers, readBody(in, headers));
    }
  }

  public static HttpResult exchange(int port, String request, Duration timeout) throws IOException {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), timeout);
  }

  /** The status line and header lines, up to the empty line. */
  private static List<String> readHead(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int total = 0;
    int b;
    while ((b = in.read()) != -1) {
      if (++total > MAX_HEAD_BYTES) {
        throw new IOException("the answer's head is over " + MAX_HEAD_BYTES + " bytes");
      }
      if (b == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1);
        text = text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        if (text.isEmpty()) {
          return lines;
        }
        lines.add(text);
        line.reset();
      } else {
        line.write(b);
      }
    }
    if (!lines.isEmpty()) {
      throw new IOException("the connection closed inside the answer's head");
    }
    return lines;
  }

  private static byte[] readBody(InputStream in, Map<String, List<String>> headers)
      throws IOException {
    String length = first(headers, "content-length");
    if (length != null) {
      int expected = Integer.parseInt(length);
      if (expected > MAX_BODY_BYTES) {
        throw new IOException("the answer's body is over " + MAX_BODY_BYTES + " bytes");
      }
      byte[] body = in.readNBytes(expected);
      if (body.length != expected) {
        throw new IOException("the body ended after " + body.length + " of " + expected + " bytes");
      }
      return body;
    }
    if ("chunked".equalsIgnoreCase(first(headers, "transfer-encoding"))) {
      return readChunked(in);
    }
    // Neither: the body runs to the end of the connection.
    byte[] body = in.readNBytes(MAX_BODY_BYTES);
    if (in.read() != -1) {
      throw new IOException("the answer's body is over " + MAX_BODY_BYTES + " bytes");
    }
    return body;
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (body.size() <= MAX_BODY_BYTES) {
      String sizeLine = readLine(in);
      int size = Integer.parseInt(sizeLine.split(";", 2)[0].trim(), 16);
      if (size == 0) {
        // Trailers, if any, up to the empty line.
        for (int i = 0; i < 100 && !readLine(in).isEmpty(); i++) {}
        return body.toByteArray();
      }
      byte[] chunk = in.readNBytes(size);
      if (chunk.length != size) {
        throw new IOException("a chunk ended early");
      }
      body.write(chunk);
      readLine(in);
    }
    throw new IOException("the answer's body is over " + MAX_BODY_BYTES + " bytes");
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (line.size() > MAX_HEAD_BYTES) {
        throw new IOException("a line of the answer is over " + MAX_HEAD_BYTES + " bytes");
      }
      line.write(b);
    }
    if (b == -1) {
      throw new IOException("the connection closed inside a chunked body");
    }
    String text = line.toString(StandardCharsets.ISO_8859_1);
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }

  private static String first(Map<String, List<String>> headers, String name) {
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      if (header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty()) {
        return header.getValue().get(0);
      }
    }
    return null;
  }
}
